import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseAddress } from "./address.ts";
import { parseRange } from "./range.ts";
import { evaluateReadConditions } from "./conditionals.ts";
import { isValidBucketName } from "./names.ts";
import { parseCopySource } from "./copy-source.ts";
import { AwsError } from "../../aws/errors.ts";

describe("addresses", () => {
  it("parses path style and virtual-host style", () => {
    const h = (host: string) => new Headers({ host });
    expect(parseAddress(new URL("http://127.0.0.1:9000/"), h("127.0.0.1:9000"), "localhost")).toEqual({});
    expect(parseAddress(new URL("http://127.0.0.1:9000/b"), h("127.0.0.1:9000"), "localhost")).toEqual({ bucket: "b" });
    expect(parseAddress(new URL("http://127.0.0.1:9000/b/"), h("127.0.0.1:9000"), undefined)).toEqual({ bucket: "b" });
    expect(parseAddress(new URL("http://x/b/a%20b/c%2Fd"), h("x"), undefined)).toEqual({ bucket: "b", key: "a b/c/d" });
    expect(parseAddress(new URL("http://b.s3.localhost:9000/k/x"), h("b.s3.localhost:9000"), "localhost")).toEqual({ bucket: "b", key: "k/x" });
    expect(parseAddress(new URL("http://b.s3.localhost:9000/"), h("b.s3.localhost:9000"), "localhost")).toEqual({ bucket: "b" });
    expect(parseAddress(new URL("http://s3.localhost:9000/b/k"), h("s3.localhost:9000"), "localhost")).toEqual({ bucket: "b", key: "k" });
  });
});

describe("Range", () => {
  it("parses single ranges as S3 does", () => {
    expect(parseRange(null, 10)).toBeUndefined();
    expect(parseRange("bytes=0-4", 10)).toEqual({ start: 0, end: 5 });
    expect(parseRange("bytes=5-", 10)).toEqual({ start: 5, end: 10 });
    expect(parseRange("bytes=-3", 10)).toEqual({ start: 7, end: 10 });
    expect(parseRange("bytes=-30", 10)).toEqual({ start: 0, end: 10 });
    expect(parseRange("bytes=8-100", 10)).toEqual({ start: 8, end: 10 });
    expect(parseRange("bytes=5-2", 10)).toBeUndefined();
    expect(parseRange("items=0-1", 10)).toBeUndefined();
    expect(() => parseRange("bytes=10-", 10)).toThrow(AwsError);
    expect(() => parseRange("bytes=0-", 0)).toThrow(AwsError);
  });

  it("always yields a non-empty in-bounds range or an error", () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.option(fc.nat(2000)), fc.option(fc.nat(2000)), (size, a, b) => {
        const header = `bytes=${a ?? ""}-${b ?? ""}`;
        try {
          const r = parseRange(header, size);
          if (r) expect(0 <= r.start && r.start < r.end && r.end <= size).toBe(true);
        } catch (err) {
          expect((err as AwsError).code).toBe("InvalidRange");
        }
      }),
    );
  });
});

describe("read preconditions", () => {
  const v = { etag: "abc", lastModified: Date.parse("2026-01-01T00:00:00Z") };
  const ev = (h: Record<string, string>) => evaluateReadConditions(new Headers(h), v).outcome;
  it("follows S3's precedence", () => {
    expect(ev({ "if-match": '"abc"' })).toBe("ok");
    expect(ev({ "if-match": '"x"' })).toBe("failed");
    expect(ev({ "if-match": "*" })).toBe("ok");
    expect(ev({ "if-none-match": '"abc"' })).toBe("not-modified");
    expect(ev({ "if-none-match": '"x", "abc"' })).toBe("not-modified");
    expect(ev({ "if-modified-since": "Thu, 01 Jan 2026 00:00:00 GMT" })).toBe("not-modified");
    expect(ev({ "if-modified-since": "Wed, 31 Dec 2025 23:59:59 GMT" })).toBe("ok");
    expect(ev({ "if-unmodified-since": "Wed, 31 Dec 2025 23:59:59 GMT" })).toBe("failed");
    // If-Match true wins over a failing If-Unmodified-Since; If-None-Match false wins over If-Modified-Since.
    expect(ev({ "if-match": '"abc"', "if-unmodified-since": "Wed, 31 Dec 2025 23:59:59 GMT" })).toBe("ok");
    expect(ev({ "if-none-match": '"x"', "if-modified-since": "Thu, 01 Jan 2026 00:00:00 GMT" })).toBe("ok");
  });
});

describe("names", () => {
  it("applies the general-purpose bucket naming rules", () => {
    for (const ok of ["abc", "my-bucket.logs", "a".repeat(63), "1bucket"]) expect(isValidBucketName(ok), ok).toBe(true);
    for (const bad of ["ab", "a".repeat(64), "Upper", "a_b", "-a1", "a1-", "a..b", "a.-b", "10.0.0.1", "xn--ab", "sthree-x", "ab-s3alias", "ab--ol-s3"]) {
      expect(isValidBucketName(bad), bad).toBe(false);
    }
  });

  it("parses copy sources", () => {
    expect(parseCopySource("b/k/x")).toEqual({ bucket: "b", key: "k/x" });
    expect(parseCopySource("/b/a%20b?versionId=null")).toEqual({ bucket: "b", key: "a b" });
    expect(() => parseCopySource("b")).toThrow(AwsError);
    expect(() => parseCopySource("b/k?versionId=123")).toThrow(AwsError);
  });
});
