// Every acknowledged commit survives kill -9 of the process that made it.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { nextLine, spawnFixture, stopChild, type Child } from "./fixtures/child.ts";
import { openEmbeddedStore } from "./store.ts";

const dirs: string[] = [];
const children: Child[] = [];
afterAll(async () => {
  await Promise.allSettled(children.map((c) => stopChild(c)));
  await Promise.allSettled(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

it("keeps every acknowledged commit after kill -9", async () => {
  const dir = await mkdtemp(join(tmpdir(), "kv-embedded-durable-"));
  dirs.push(dir);
  const child = spawnFixture("fixtures/commit-child.ts", [dir]);
  children.push(child);
  expect(await nextLine(child)).toBe("ready");

  const acked: number[] = [];
  const KILL_AFTER = 400;
  while (acked.length < KILL_AFTER) {
    const line = await nextLine(child);
    acked.push(Number(line.slice("ack ".length)));
  }
  // Kill mid-stream: commits are in flight right now (16 at a time).
  child.proc.kill("SIGKILL");
  // Acks the child wrote before dying are still in the pipe; they count too.
  for (;;) {
    const r = await child.lines.next();
    if (r.done) break;
    if (r.value.startsWith("ack ")) acked.push(Number(r.value.slice(4)));
  }
  expect(await child.exited).toBe("SIGKILL");

  const store = await openEmbeddedStore({ path: dir });
  try {
    const enc = new TextEncoder();
    const missing: number[] = [];
    for (const n of acked) {
      const kv = await store.get(enc.encode(`d/${String(n).padStart(8, "0")}`));
      if (!kv || new TextDecoder().decode(kv.value) !== String(n)) missing.push(n);
    }
    expect(missing).toEqual([]);
    // Unacknowledged commits may or may not have landed, but each one whole or not at all.
    const stored = await store.count({ start: enc.encode("d/"), end: enc.encode("d0") });
    expect(stored).toBeGreaterThanOrEqual(acked.length);
    const dKeys = (await store.scan({ start: enc.encode("d/"), end: enc.encode("d0"), keysOnly: true })).kvs;
    const eKeys = (await store.scan({ start: enc.encode("e/"), end: enc.encode("e0"), keysOnly: true })).kvs;
    const ids = (kvs: { key: Uint8Array }[]) => kvs.map((kv) => new TextDecoder().decode(kv.key).slice(2));
    expect(ids(eKeys)).toEqual(ids(dKeys));
    // The store is usable after the crash and its revision kept counting.
    const { kvs } = await store.scan({ start: enc.encode("d/"), end: enc.encode("d0") });
    const top = kvs.reduce((m, kv) => (kv.modRevision > m ? kv.modRevision : m), 0n);
    await store.transact(async (txn) => txn.put(enc.encode("after"), enc.encode("crash")));
    expect((await store.get(enc.encode("after")))!.modRevision).toBe(top + 1n);
  } finally {
    await store.close();
  }
});
