import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseAddress } from "./address.ts";
import { parseXmlBody } from "./xml-io.ts";
import { parseChecksumRequest } from "./checksum-headers.ts";
import { parseRange } from "./range.ts";
import { checkCopySourceConditions, etagMatches, evaluateReadConditions, parseWriteConditions } from "./conditionals.ts";
import { isValidBucketName } from "./names.ts";
import { parseCopySource, parseCopySourceRange } from "./copy-source.ts";
import { AwsError } from "../../aws/errors.ts";

describe("addresses", () => {
  // As the edge calls it: the host, and the request target's path as it came.
  const at = (host: string, path: string, domain: string | undefined) =>
    parseAddress(new URL(`http://${host}/`), path, new Headers({ host }), domain);

  it("parses path style and virtual-host style", () => {
    expect(at("127.0.0.1:9000", "/", "localhost")).toEqual({});
    expect(at("127.0.0.1:9000", "/b", "localhost")).toEqual({ bucket: "b" });
    expect(at("127.0.0.1:9000", "/b/", undefined)).toEqual({ bucket: "b" });
    expect(at("x", "/b/a%20b/c%2Fd", undefined)).toEqual({ bucket: "b", key: "a b/c/d" });
    expect(at("b.s3.localhost:9000", "/k/x", "localhost")).toEqual({ bucket: "b", key: "k/x" });
    expect(at("b.s3.localhost:9000", "/", "localhost")).toEqual({ bucket: "b" });
    expect(at("s3.localhost:9000", "/b/k", "localhost")).toEqual({ bucket: "b", key: "k" });
  });

  it("keeps dot segments as parts of the key", () => {
    expect(at("x", "/b/tmp/../important", undefined)).toEqual({ bucket: "b", key: "tmp/../important" });
    expect(at("x", "/b/x/./y", undefined)).toEqual({ bucket: "b", key: "x/./y" });
    expect(at("x", "/b/q/%2E%2E/r", undefined)).toEqual({ bucket: "b", key: "q/../r" });
    expect(at("x", "/b/..", undefined)).toEqual({ bucket: "b", key: ".." });
    expect(at("x", "/b/a\\b", undefined)).toEqual({ bucket: "b", key: "a\\b" });
    expect(at("b.s3.localhost", "/../k", "localhost")).toEqual({ bucket: "b", key: "../k" });
  });
});

describe("XML bodies", () => {
  const parse = (xml: string) => parseXmlBody(new TextEncoder().encode(xml), "Delete");
  const code = (xml: string) => {
    try {
      parse(xml);
      return "parsed";
    } catch (err) {
      return (err as AwsError).code;
    }
  };

  it("decodes XML's references and only those", () => {
    expect(parse("<Delete><Key>a&#x0A;b&#13;&#65;</Key></Delete>")).toEqual({ Key: "a\nb\rA" });
    // An escaped ampersand before a reference is text, not a reference.
    expect(parse("<Delete><Key>&amp;#65;&lt;&gt;&quot;&apos;</Key></Delete>")).toEqual({ Key: "&#65;<>\"'" });
    expect(parse("<Delete><Key> spaced </Key></Delete>")).toEqual({ Key: " spaced " });
    // A DOCTYPE's entities are never expanded.
    expect(parse('<!DOCTYPE Delete [<!ENTITY e "boom">]><Delete><Key>&e;</Key></Delete>')).toEqual({ Key: "&e;" });
  });

  it("answers MalformedXML for bodies it cannot take, deep nesting included", () => {
    expect(code("<Delete><Key>x</Delete>")).toBe("MalformedXML");
    expect(code("<Other/>")).toBe("MalformedXML");
    expect(code("<Delete>" + "<a>".repeat(20_000) + "</a>".repeat(20_000) + "</Delete>")).toBe("MalformedXML");
  });
});

describe("checksum headers", () => {
  const req = (h: Record<string, string>) => parseChecksumRequest(new Headers(h));
  it("takes a value from its header or a trailer, and refuses an algorithm named without one", () => {
    expect(req({})).toBeUndefined();
    expect(req({ "x-amz-sdk-checksum-algorithm": "crc32", "x-amz-checksum-crc32": "NjowIA==" })).toEqual({ algorithm: "CRC32", value: "NjowIA==", fromTrailer: false });
    expect(req({ "x-amz-sdk-checksum-algorithm": "CRC32", "x-amz-trailer": "x-amz-checksum-crc32" })).toEqual({ algorithm: "CRC32", fromTrailer: true });
    expect(() => req({ "x-amz-sdk-checksum-algorithm": "CRC32" })).toThrow(/x-amz-sdk-checksum-algorithm specified, but no corresponding/);
    expect(() => req({ "x-amz-sdk-checksum-algorithm": "SHA256", "x-amz-checksum-crc32": "NjowIA==" })).toThrow(/x-amz-sdk-checksum-algorithm header is invalid/);
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

  it("takes an ETag with both, one or no quotes", () => {
    for (const t of ['"abc"', "abc", 'abc"', '"abc']) expect(etagMatches(t, "abc"), t).toBe(true);
    expect(etagMatches('"ab"c"', "abc")).toBe(false);
  });

  it("ignores a copy source's If-Modified-Since later than now, and only a copy source's", () => {
    const future = new Date(Date.now() + 86_400_000).toUTCString();
    const past = new Date(v.lastModified + 60_000).toUTCString();
    expect(() => checkCopySourceConditions(new Headers({ "x-amz-copy-source-if-modified-since": future }), v)).not.toThrow();
    expect(() => checkCopySourceConditions(new Headers({ "x-amz-copy-source-if-modified-since": past }), v)).toThrow(AwsError);
    expect(ev({ "if-modified-since": future })).toBe("not-modified");
  });
});

describe("write preconditions", () => {
  const refusal = (h: Record<string, string>) => {
    try {
      parseWriteConditions(new Headers(h));
    } catch (err) {
      if (err instanceof AwsError) return { status: err.status, code: err.code, ...err.extra };
      throw err;
    }
    return undefined;
  };
  it("takes one condition, If-None-Match: * or If-Match: <etag>, and names the header it refuses", () => {
    expect(parseWriteConditions(new Headers({ "if-none-match": "*" }))).toEqual({ ifNoneMatchStar: true, ifMatch: undefined });
    expect(parseWriteConditions(new Headers({ "if-match": '"abc"' }))).toEqual({ ifNoneMatchStar: false, ifMatch: '"abc"' });
    expect(refusal({ "if-none-match": '"abc"' })).toEqual({
      status: 501, code: "NotImplemented", Header: "If-None-Match", additionalMessage: "We don't accept the provided value of If-None-Match header for this API",
    });
    expect(refusal({ "if-match": "*" })).toEqual({
      status: 501, code: "NotImplemented", Header: "If-Match", additionalMessage: "We don't accept the provided value of If-Match header for this API",
    });
    expect(refusal({ "if-match": '"abc"', "if-none-match": "*" })).toEqual({
      status: 501, code: "NotImplemented", Header: "If-Match,If-None-Match", additionalMessage: "Multiple conditional request headers present in the request",
    });
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

  it("refuses copy ranges outside the source with 400 InvalidArgument, not a GET's 416", () => {
    expect(parseCopySourceRange("bytes=2-5", 10)).toEqual({ start: 2, end: 6 });
    for (const r of ["bytes=0-10", "bytes=5-2"]) {
      try {
        parseCopySourceRange(r, 10);
        expect.unreachable(r);
      } catch (err) {
        expect(err).toMatchObject({ code: "InvalidArgument", status: 400, message: "Range specified is not valid for source object of size: 10" });
      }
    }
  });
});
