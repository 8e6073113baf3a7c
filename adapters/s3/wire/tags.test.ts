import { describe, expect, it } from "vitest";
import { AwsError } from "../../aws/errors.ts";
import { parseTaggingHeader, validateBucketTags, validateObjectTags } from "./tags.ts";

function failure(f: () => unknown): { code: string; message: string; extra: Record<string, unknown> } {
  try {
    f();
  } catch (err) {
    if (err instanceof AwsError) return { code: err.code, message: err.message, extra: err.extra };
    throw err;
  }
  throw new Error("expected an AwsError");
}

const header = (v: string) => () => parseTaggingHeader(new Headers({ "x-amz-tagging": v }));
const HEADER_MESSAGE = "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.";

describe("x-amz-tagging", () => {
  it("parses a URL query, a bare name holding the empty value", () => {
    expect(header("a=1&b=x%20y&c")()).toEqual([{ Key: "a", Value: "1" }, { Key: "b", Value: "x y" }, { Key: "c", Value: "" }]);
    expect(header("")()).toEqual([]);
    expect(parseTaggingHeader(new Headers())).toBeUndefined();
  });

  it("refuses repeated names and pairs with more than one '=' as InvalidArgument naming the header", () => {
    for (const v of ["key1=val1&key1=val2", "a=&a=", "key1=val1,key2=val2", "TagSet=[{Key=string,Value=string}]"]) {
      expect(failure(header(v))).toEqual({ code: "InvalidArgument", message: HEADER_MESSAGE, extra: { ArgumentName: "x-amz-tagging", ArgumentValue: v } });
    }
  });

  it("checks the characters of decoded tags as InvalidTag", () => {
    expect(failure(header("TagSet%3D%5B%7BKey%3Dstring%2CValue%3Dstring%7D%5D"))).toMatchObject({ code: "InvalidTag", message: "The TagKey you have provided is invalid" });
    expect(failure(header("k=v,x"))).toEqual({ code: "InvalidTag", message: "The TagValue you have provided is invalid", extra: { TagKey: "k", TagValue: "v,x" } });
  });

  it("answers more than 10 tags with BadRequest", () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `k${i}=v`).join("&");
    expect(failure(header(eleven))).toEqual({ code: "BadRequest", message: "Object tags cannot be greater than 10", extra: {} });
    expect(header(eleven.slice(0, eleven.lastIndexOf("&")))()).toHaveLength(10);
  });
});

describe("tag sets", () => {
  it("names the tag in each InvalidTag", () => {
    expect(failure(() => validateObjectTags([{ Key: "Key1", Value: "" }, { Key: "Key1", Value: "x" }]))).toEqual({
      code: "InvalidTag", message: "Cannot provide multiple Tags with the same key", extra: { TagKey: "Key1" },
    });
    expect(failure(() => validateBucketTags([{ Key: "Key1,Key2", Value: "" }]))).toEqual({
      code: "InvalidTag", message: "The TagKey you have provided is invalid", extra: { TagKey: "Key1,Key2" },
    });
    expect(failure(() => validateBucketTags([{ Key: "Key1", Value: "Val1,Val2" }]))).toEqual({
      code: "InvalidTag", message: "The TagValue you have provided is invalid", extra: { TagKey: "Key1", TagValue: "Val1,Val2" },
    });
  });

  it("refuses aws: keys with the object's and the bucket's own words", () => {
    expect(failure(() => validateObjectTags([{ Key: "aws:prefixed", Value: "" }])).message).toBe("Your TagKey cannot be prefixed with aws:");
    expect(failure(() => validateBucketTags([{ Key: "aws:prefixed", Value: "" }])).message).toBe("System tags cannot be added/updated by requester");
  });

  it("takes letters of any script, spaces and the listed symbols, up to 128 and 256 positions", () => {
    const ok = [{ Key: "Žluťoučký kůň_1.2:3/4=5+6-7@8", Value: "a\nb c" }, { Key: "k".repeat(128), Value: "v".repeat(256) }];
    expect(validateObjectTags(ok)).toEqual(ok);
    expect(failure(() => validateObjectTags([{ Key: "k".repeat(129), Value: "" }])).code).toBe("InvalidTag");
    expect(failure(() => validateObjectTags([{ Key: "k", Value: "v".repeat(257) }])).code).toBe("InvalidTag");
    expect(failure(() => validateObjectTags([{ Key: "", Value: "v" }])).message).toBe("The TagKey you have provided is invalid");
    expect(failure(() => validateObjectTags(Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: "" })))).code).toBe("BadRequest");
    expect(validateBucketTags(Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "" })))).toHaveLength(50);
  });
});
