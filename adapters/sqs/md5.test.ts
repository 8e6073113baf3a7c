import { describe, expect, it } from "vitest";
import { md5Hex, md5OfAttributes } from "./md5.ts";

describe("md5", () => {
  it("hashes the body as UTF-8", () => {
    expect(md5Hex("hello")).toBe("5d41402abc4b2a76b9719d911017c592");
  });

  // The digest LocalStack's serializer tests hold against SQS responses.
  it("matches SQS's MD5OfMessageAttributes for string attributes", () => {
    expect(
      md5OfAttributes({ Hello: { DataType: "String", StringValue: "There" }, General: { DataType: "String", StringValue: "Kenobi" } }),
    ).toBe("fca026605781cb4126a1e9044df24232");
  });

  it("is independent of the order attributes were given in", () => {
    const a = md5OfAttributes({ b: { DataType: "Number", StringValue: "1" }, a: { DataType: "Binary", BinaryValue: "AAE=" } });
    const b = md5OfAttributes({ a: { DataType: "Binary", BinaryValue: "AAE=" }, b: { DataType: "Number", StringValue: "1" } });
    expect(a).toBe(b);
  });

  it("is undefined when there are no attributes", () => {
    expect(md5OfAttributes({})).toBeUndefined();
    expect(md5OfAttributes(undefined)).toBeUndefined();
  });
});
