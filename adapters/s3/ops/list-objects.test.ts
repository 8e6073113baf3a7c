// The listing walker against a reference model: every page sequence (any prefix,
// delimiter and page size) yields exactly the keys and common prefixes a plain sort and
// group of the key set gives, in order, each once.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import pino from "pino";
import { openTempStore, type TempStore } from "../../../kvclient/testing/temp-store.ts";
import type { Store } from "../../../kvclient/store.ts";
import { keys, encodeRecord, type ObjectManifest } from "../keyspace.ts";
import { DEFAULT_S3_OPTIONS } from "../config.ts";
import type { S3Context } from "../context.ts";
import { walk } from "./list-objects.ts";

let temp: TempStore;
let store: Store;
let ctx: S3Context;

beforeAll(async () => {
  temp = await openTempStore("s3-list");
  store = temp.store;
  ctx = { store, options: DEFAULT_S3_OPTIONS, region: "us-east-1", accountId: "000000000000", logger: pino({ level: "silent" }), chunkBytes: 1024 };
});

afterAll(() => temp.dispose());

const manifest: ObjectManifest = { size: 0, etag: "x", lastModified: 0, headers: { meta: {} }, ownerId: "o", ownerName: "n", segments: [] };
const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function reference(all: string[], prefix: string, delimiter: string): string[] {
  const out: string[] = [];
  for (const k of [...all].sort(utf8Order)) {
    if (!k.startsWith(prefix)) continue;
    const idx = delimiter === "" ? -1 : k.indexOf(delimiter, prefix.length);
    const entry = idx >= 0 ? k.slice(0, idx + delimiter.length) : k;
    if (out[out.length - 1] !== entry) out.push(entry);
  }
  return out;
}

let bucketN = 0;

describe("list walker", () => {
  it("pages through exactly the reference listing", async () => {
    const char = fc.constantFrom("a", "b", "/", "-", "é", "\u{1F600}", "\u0000");
    const key = fc.array(char, { minLength: 1, maxLength: 6 }).map((cs) => cs.join(""));
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(key, { maxLength: 40 }),
        fc.array(char, { maxLength: 2 }).map((c) => c.join("")),
        fc.constantFrom("", "/", "-", "b/"),
        fc.integer({ min: 1, max: 7 }),
        async (all, prefix, delimiter, maxKeys) => {
          const bucket = `b${bucketN++}`;
          await store.transact(async (txn) => {
            for (const k of all) txn.put(keys.object(bucket, k), encodeRecord(manifest));
          });
          const seen: string[] = [];
          let after: string | undefined;
          for (let guard = 0; guard < 100; guard++) {
            const page = await walk(ctx, { bucket, prefix, delimiter, after, maxKeys }, AbortSignal.timeout(10_000));
            const entries = [...page.contents.map((e) => e.key), ...page.commonPrefixes].sort(utf8Order);
            expect(entries.length).toBeLessThanOrEqual(maxKeys);
            seen.push(...entries);
            if (!page.truncated) break;
            expect(page.last).toBe(entries[entries.length - 1]);
            after = page.last;
          }
          expect(seen).toEqual(reference(all, prefix, delimiter));
        },
      ),
      { numRuns: 150 },
    );
  });
});
