// The write-lease protocol against a real embedded store: a writer that outlives its lease
// is fenced out (no chunk lands after the GC took the lease), and every queue entry kind
// is collected down to nothing.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEventListeners } from "node:events";
import pino from "pino";
import { openTempStore, type TempStore } from "../../../kvclient/testing/temp-store.ts";
import type { Store } from "../../../kvclient/store.ts";
import { DEFAULT_S3_OPTIONS } from "../config.ts";
import type { S3Context } from "../context.ts";
import { keys, encodeRecord, type PartRecord } from "../keyspace.ts";
import { LeaseLostError, writeChunks } from "./chunk-writer.ts";
import { GcWorker, collectOnce, deadEntry } from "./gc.ts";

let temp: TempStore;
let store: Store;
const signal = () => AbortSignal.timeout(10_000);

function ctxWith(over: Partial<S3Context["options"]> = {}): S3Context {
  return { store, options: { ...DEFAULT_S3_OPTIONS, ...over }, region: "us-east-1", accountId: "000000000000", logger: pino({ level: "silent" }), chunkBytes: 16 };
}

beforeAll(async () => {
  temp = await openTempStore("s3-gc");
  store = temp.store;
});

afterAll(() => temp.dispose());

const count = (r: { start: Uint8Array; end: Uint8Array }) => store.count(r);

describe("write leases and the GC queue", () => {
  it("fences out a writer whose lease the GC took, leaving nothing behind", async () => {
    const ctx = ctxWith({ writeLeaseMs: 150 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* body() {
      yield new Uint8Array(40).fill(1);
      await gate;
      yield new Uint8Array(40).fill(2);
    }
    const writing = writeChunks(ctx, body(), { signal: signal(), digests: [] });
    await new Promise((r) => setTimeout(r, 400));
    const pass = await collectOnce(ctx, signal());
    expect(pass.collected).toBe(1);
    expect(pass.chunksDeleted).toBeGreaterThan(0);
    release();
    await expect(writing).rejects.toBeInstanceOf(LeaseLostError);
    await collectOnce(ctx, signal());
    expect(await count(keys.allChunks())).toBe(0);
    expect(await count(keys.gcRange())).toBe(0);
  });

  it("keeps chunks while the lease is renewed and data is owned", async () => {
    const ctx = ctxWith({ writeLeaseMs: 60_000 });
    const w = await writeChunks(ctx, (async function* () {
      yield new Uint8Array(100).fill(3);
    })(), { signal: signal(), digests: [] });
    expect(await count(keys.chunkRange(w.segment.id))).toBe(Math.ceil(100 / 16));
    await collectOnce(ctx, signal());
    expect(await count(keys.chunkRange(w.segment.id))).toBe(7);
    // Dropping the last reference queues the data; once due, it goes.
    await store.transact(async (txn) => {
      txn.delete(keys.gc(w.segment.id));
      const gc = deadEntry([w.segment.id], 0);
      txn.put(gc.key, gc.value);
    });
    await collectOnce(ctx, signal());
    expect(await count(keys.allChunks())).toBe(0);
    expect(await count(keys.gcRange())).toBe(0);
  });

  it("collects aborted uploads' parts with their data, finished uploads' records only", async () => {
    const ctx = ctxWith();
    const mk = async (uploadId: string, n: number, dataId: string) => {
      await store.transact(async (txn) => {
        const part: PartRecord = { partNumber: n, size: 16, etag: "e", lastModified: 0, segment: { id: dataId, size: 16, chunkBytes: 16 } };
        txn.put(keys.part(uploadId, n), encodeRecord(part));
        txn.put(keys.chunk(dataId, 0), new Uint8Array(16));
      });
    };
    await mk("up-aborted", 1, "d-a1");
    await mk("up-aborted", 2, "d-a2");
    await mk("up-done", 1, "d-owned");
    await store.transact(async (txn) => {
      const a = deadEntry([], 0, { abortedUploads: ["up-aborted"] });
      const f = deadEntry([], 0, { finishedUploads: ["up-done"] });
      txn.put(a.key, a.value);
      txn.put(f.key, f.value);
    });
    await collectOnce(ctx, signal());
    expect(await count(keys.partRange("up-aborted"))).toBe(0);
    expect(await count(keys.partRange("up-done"))).toBe(0);
    expect(await count(keys.chunkRange("d-a1"))).toBe(0);
    expect(await count(keys.chunkRange("d-a2"))).toBe(0);
    // The completed object's manifest owns this data now; the GC must not touch it.
    expect(await count(keys.chunkRange("d-owned"))).toBe(1);
  });
});

describe("the GC loop", () => {
  it("leaves no listener behind on its stop signal, however many passes it makes", async () => {
    const worker = new GcWorker(ctxWith({ gcIntervalMs: 5 }));
    worker.start();
    // The stop signal lives as long as the gateway; each pass used to add one listener.
    const stopSignal = (worker as unknown as { controller: AbortController }).controller.signal;
    await new Promise((r) => setTimeout(r, 400));
    expect(getEventListeners(stopSignal, "abort").length).toBeLessThanOrEqual(2);
    await worker.stop();
  });
});
