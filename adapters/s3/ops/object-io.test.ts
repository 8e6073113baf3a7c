// PutObject and GetObject through the adapter itself (no gateway): a body handed over
// already buffered (`ServiceRequest.bytes`) or as a stream of many pieces, objects stored
// inline, in one chunk or in several, read whole, by range and by HEAD, and response-*
// overrides that could not be written as header values.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { Registry } from "prom-client";
import pino from "pino";
import { openTempStore, type TempStore } from "../../../kvclient/testing/temp-store.ts";
import type { Store } from "../../../kvclient/store.ts";
import { createS3AdapterWith, type S3Adapter } from "../index.ts";
import { DEFAULT_S3_OPTIONS } from "../config.ts";
import { keys, decodeManifest, decodeRecord, INLINE_MAX_BYTES, type GcEntry } from "../keyspace.ts";
import { collectOnce } from "../storage/gc.ts";
import { request } from "./adapter-testing.ts";

const CHUNK = 64 * 1024;
let temp: TempStore;
let store: Store;
let s3: S3Adapter;

beforeAll(async () => {
  temp = await openTempStore("s3-object-io");
  store = temp.store;
  const config = { store, region: "us-east-1", accountId: "000000000000", registry: new Registry(), logger: pino({ level: "silent" }) };
  s3 = createS3AdapterWith(config, { ...DEFAULT_S3_OPTIONS, chunkBytes: CHUNK });
  expect(s3.ctx.chunkBytes).toBe(CHUNK);
  expect((await s3.handle(request("PUT", "/iobkt"))).status).toBe(200);
});

afterAll(() => temp.dispose());

async function bodyOf(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer());
}

const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex");

describe("PutObject and GetObject in the adapter", () => {
  // Inline, one chunk (not inline), exactly one chunk, and several chunks.
  const sizes = [0, 1, INLINE_MAX_BYTES, INLINE_MAX_BYTES + 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17];
  for (const size of sizes) {
    for (const buffered of [false, true]) {
      it(`round-trips ${size} bytes given ${buffered ? "buffered" : "as a stream"}`, async () => {
        const data = randomBytes(size);
        const key = `/iobkt/obj-${size}-${buffered}`;
        const put = await s3.handle(request("PUT", key, { body: data, buffered }));
        expect(put.status).toBe(200);
        expect(put.headers.get("etag")).toBe(`"${md5(data)}"`);

        const get = await s3.handle(request("GET", key));
        expect(get.status).toBe(200);
        expect(get.headers.get("content-length")).toBe(String(size));
        expect(get.headers.get("etag")).toBe(`"${md5(data)}"`);
        expect((await bodyOf(get)).equals(data)).toBe(true);

        const head = await s3.handle(request("HEAD", key));
        expect(head.status).toBe(200);
        expect(head.headers.get("content-length")).toBe(String(size));
        expect(head.body).toBeNull();

        if (size > 2) {
          // A range inside the first chunk, one across the whole object, and a suffix.
          for (const [range, from, to] of [
            [`bytes=1-${Math.min(size, CHUNK) - 2}`, 1, Math.min(size, CHUNK) - 1],
            [`bytes=1-${size - 2}`, 1, size - 1],
            [`bytes=-2`, size - 2, size],
          ] as const) {
            const r = await s3.handle(request("GET", key, { headers: { range } }));
            expect(r.status, range).toBe(206);
            expect(r.headers.get("content-range")).toBe(`bytes ${from}-${to - 1}/${size}`);
            expect((await bodyOf(r)).equals(data.subarray(from, to)), range).toBe(true);
          }
        }

        // Where the bytes live: in the manifest up to INLINE_MAX_BYTES, else in chunks.
        const m = decodeManifest((await store.get(keys.object("iobkt", key.slice("/iobkt/".length))))!.value);
        if (size === 0) expect(m.inline === undefined && m.segments.length === 0).toBe(true);
        else if (size <= INLINE_MAX_BYTES) expect(m.inline?.length === size && m.segments.length === 0).toBe(true);
        else expect(m.inline === undefined && m.segments[0]?.size === size).toBe(true);
      });
    }
  }

  it("refuses a buffered body longer than its Content-Length", async () => {
    const req = request("PUT", "/iobkt/too-long", { body: randomBytes(100), buffered: true });
    req.contentLength = 99;
    const res = await s3.handle(req);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("IncompleteBody");
    expect(await store.get(keys.object("iobkt", "too-long"))).toBeUndefined();
  });

  it("refuses a streamed body longer than its Content-Length", async () => {
    const req = request("PUT", "/iobkt/too-long", { body: randomBytes(5000), piece: 700 });
    req.contentLength = 4999;
    const res = await s3.handle(req);
    expect(res.status).toBe(400);
    expect(await store.get(keys.object("iobkt", "too-long"))).toBeUndefined();
  });

  it("applies response-* overrides, and refuses values no header can carry", async () => {
    const data = randomBytes(10);
    expect((await s3.handle(request("PUT", "/iobkt/override", { body: data }))).status).toBe(200);
    const ok = await s3.handle(request("GET", "/iobkt/override?response-content-type=text%2Fplain&response-cache-control=no-cache"));
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("text/plain");
    expect(ok.headers.get("cache-control")).toBe("no-cache");
    const bad = await s3.handle(request("GET", "/iobkt/override?response-content-type=text%0D%0Aset-cookie%3A%20x"));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("InvalidArgument");
  });

  it("writes a multi-chunk object's last chunk with its manifest, leaving no lease behind", async () => {
    const data = randomBytes(4 * CHUNK + 5);
    const gcBefore = await store.count(keys.gcRange());
    const res = await s3.handle(request("PUT", "/iobkt/chunks", { body: data, piece: 10_000 }));
    expect(res.status).toBe(200);
    const m = decodeManifest((await store.get(keys.object("iobkt", "chunks")))!.value);
    expect(await store.count(keys.chunkRange(m.segments[0]!.id))).toBe(5);
    // The lease (opened with the first chunk) ended with the manifest commit.
    expect(await store.get(keys.gc(m.segments[0]!.id))).toBeUndefined();
    expect(await store.count(keys.gcRange())).toBe(gcBefore);
    expect((await bodyOf(await s3.handle(request("GET", "/iobkt/chunks")))).equals(data)).toBe(true);
  });

  it("refuses a body of unknown length with MissingContentLength, as S3 does", async () => {
    const req = request("PUT", "/iobkt/unknown-length", { body: randomBytes(CHUNK - 3), piece: 4096 });
    req.contentLength = undefined;
    req.headers.delete("content-length");
    const gcBefore = await store.count(keys.gcRange());
    const res = await s3.handle(req);
    expect(res.status).toBe(411);
    expect(await res.text()).toContain("<Code>MissingContentLength</Code>");
    expect(await store.get(keys.object("iobkt", "unknown-length"))).toBeUndefined();
    expect(await store.count(keys.gcRange())).toBe(gcBefore);
  });

  it("hands a refused upload's chunks to the GC, its unwritten tail never landing", async () => {
    const wrongMd5 = createHash("md5").update("something else").digest("base64");
    const res = await s3.handle(request("PUT", "/iobkt/refused", { body: randomBytes(3 * CHUNK + 1), headers: { "content-md5": wrongMd5 } }));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("BadDigest");
    expect(await store.get(keys.object("iobkt", "refused"))).toBeUndefined();
    const dead: GcEntry[] = [];
    for (const kv of (await store.scan({ ...keys.gcRange() })).kvs) dead.push(decodeRecord<GcEntry>(kv.value));
    const released = dead.filter((e) => e.kind === "dead" && e.due === 0);
    expect(released.length).toBe(1);
    // Three full chunks were written; the fourth (the tail) was held for the manifest.
    expect(await store.count(keys.chunkRange(released[0]!.ids[0]!))).toBe(3);
    await collectOnce(s3.ctx, AbortSignal.timeout(10_000));
    expect(await store.count(keys.chunkRange(released[0]!.ids[0]!))).toBe(0);
  });

  it("reuses chunk buffers without letting one upload's bytes into another's", async () => {
    const a = Buffer.alloc(3 * CHUNK + 100, 0xaa);
    const b = Buffer.alloc(2 * CHUNK + 7, 0x55);
    for (const [key, data] of [["reuse-a", a], ["reuse-b", b], ["reuse-a2", a.subarray(0, CHUNK + 1)]] as const) {
      expect((await s3.handle(request("PUT", `/iobkt/${key}`, { body: data, piece: 3000 }))).status).toBe(200);
    }
    expect((await bodyOf(await s3.handle(request("GET", "/iobkt/reuse-b")))).equals(b)).toBe(true);
    expect((await bodyOf(await s3.handle(request("GET", "/iobkt/reuse-a")))).equals(a)).toBe(true);
    expect((await bodyOf(await s3.handle(request("GET", "/iobkt/reuse-a2")))).equals(a.subarray(0, CHUNK + 1))).toBe(true);
  });
});
