import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { decodeManifest, encodeManifest, encodeRecord, keys, newId, type ObjectManifest } from "./keyspace.ts";
import { compareBytes } from "../../kvclient/tuple.ts";

const base: ObjectManifest = { size: 3, etag: "e", lastModified: 1, headers: { meta: { a: "b" } }, ownerId: "o", ownerName: "n", segments: [] };

describe("manifest records", () => {
  it("round-trip with and without inline data", () => {
    fc.assert(
      fc.property(fc.option(fc.uint8Array({ maxLength: 64 }), { nil: undefined }), fc.string(), (inline, etag) => {
        const m: ObjectManifest = { ...base, etag, inline };
        const back = decodeManifest(encodeManifest(m));
        expect(back.etag).toBe(etag);
        if (inline === undefined) expect(back.inline).toBeUndefined();
        else expect(Buffer.from(back.inline!).equals(Buffer.from(inline))).toBe(true);
      }),
    );
  });

  it("reads manifests written as plain JSON records", () => {
    expect(decodeManifest(encodeRecord(base))).toEqual(base);
  });
});

describe("object key ranges", () => {
  it("a prefix range holds exactly the keys that start with the prefix", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), (prefix, rest) => {
        const r = keys.objectPrefixRange("b", prefix);
        const k = keys.object("b", prefix + rest);
        expect(compareBytes(r.start, k) <= 0 && compareBytes(k, r.end) < 0).toBe(true);
      }),
    );
    const r = keys.objectPrefixRange("b", "ab");
    for (const outside of ["aa", "a", "ac", "b"]) {
      const k = keys.object("b", outside);
      expect(compareBytes(r.start, k) <= 0 && compareBytes(k, r.end) < 0, outside).toBe(false);
    }
    const other = keys.object("c", "ab");
    expect(compareBytes(other, r.end) >= 0).toBe(true);
  });
});

describe("newId", () => {
  it("gives ids a command line accepts: never a leading '-', only [0-9a-f]", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const id = newId();
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(5_000);
  });
});
