// Two PROCESSES on one lmdb directory: the conformance suite's lost-update case uses two
// handles in one process (a transaction body cannot cross a process boundary through the
// Store interface), so this runs the same check with a real second process.

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

it("lost update: concurrent increments from two processes all count", async () => {
  const dir = await mkdtemp(join(tmpdir(), "kv-embedded-mp-"));
  dirs.push(dir);
  const PER_PROCESS = 100;
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const counter = enc.encode("counter");

  const store = await openEmbeddedStore({ path: dir });
  const child = spawnFixture("fixtures/increment-child.ts", [dir, String(PER_PROCESS), "counter"]);
  children.push(child);
  try {
    expect(await nextLine(child)).toBe("ready");
    child.proc.stdin.write("go\n");
    const mine = await Promise.all(
      Array.from({ length: PER_PROCESS }, () =>
        store.transact(async (txn) => {
          const raw = await txn.get(counter);
          const n = raw ? Number(dec.decode(raw)) : 0;
          txn.put(counter, enc.encode(String(n + 1)));
          return n;
        }, { maxAttempts: 10_000, timeoutMs: 90_000 }),
      ),
    );
    const done = await nextLine(child, 100_000);
    const [word, count, list] = done.split(" ");
    expect(word).toBe("done");
    expect(Number(count)).toBe(PER_PROCESS);
    const theirs = list!.split(",").map(Number);

    expect(dec.decode((await store.get(counter))!.value)).toBe(String(2 * PER_PROCESS));
    // Every increment, in either process, saw a distinct predecessor.
    const all = [...mine, ...theirs].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 2 * PER_PROCESS }, (_, i) => i));
    // The interleaving really happened: each process saw values the other wrote.
    expect(mine.some((n) => n > 0)).toBe(true);
    expect(theirs.some((n) => n > 0)).toBe(true);
    expect(await child.exited).toBe(0);
  } finally {
    await store.close();
  }
}, 120_000);
