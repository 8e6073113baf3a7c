// etcd watch streams as an AsyncIterable of wake-ups.
//
// etcd3's watch manager resumes a broken stream from the last revision it saw, on whichever
// member answers. When a watcher is cancelled by the server (for example its revision was
// compacted) we start a new one and emit a synthetic event for the prefix itself, so that
// consumers, which treat events as "re-read now", cannot miss a change made in the gap.

import type { Etcd3, IKeyValue, Watcher } from "etcd3";
import type { WatchEvent } from "../store.ts";
import { view } from "./bytes.ts";

/** Oldest events are dropped beyond this; consumers only need to know something changed. */
const MAX_QUEUED = 4096;

export async function* watchPrefix(
  client: Etcd3,
  fullPrefix: Buffer,
  stripBytes: number,
  signal: AbortSignal,
  currentRevision: (signal: AbortSignal) => Promise<string>,
): AsyncGenerator<WatchEvent> {
  if (signal.aborted) return;
  // Watch from a revision read now, not from whenever the stream happens to connect: etcd3
  // resumes a broken stream from the last revision it knows, and before its first connect
  // it knows none, so a change made while the first stream was still connecting (or its
  // member dying) would be lost.
  let startRevision: string | undefined;
  try {
    startRevision = (BigInt(await currentRevision(signal)) + 1n).toString();
  } catch {
    if (signal.aborted) return;
  }
  const queue: WatchEvent[] = [];
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const push = (ev: WatchEvent) => {
    if (queue.length >= MAX_QUEUED) queue.shift();
    queue.push(ev);
    notify();
  };
  const event = (type: "put" | "delete", kv: IKeyValue): WatchEvent => ({
    type,
    key: view(kv.key, stripBytes),
    modRevision: BigInt(kv.mod_revision),
  });
  const gap = (): WatchEvent => ({ type: "put", key: view(fullPrefix, stripBytes), modRevision: 0n });

  let watcher: Watcher | undefined;
  const open = () => {
    const builder = client.watch().prefix(fullPrefix);
    // After a server-side cancel (e.g. compaction) the old revision may be gone; resume live.
    if (startRevision !== undefined && watcher === undefined) builder.startRevision(startRevision);
    const w = builder.watcher();
    w.on("put", (kv) => push(event("put", kv)));
    w.on("delete", (kv) => push(event("delete", kv)));
    w.on("error", () => {
      if (watcher !== w || signal.aborted) return;
      push(gap());
      void w.cancel().catch(() => {});
      open();
    });
    watcher = w;
  };
  signal.addEventListener("abort", notify, { once: true });
  // Without a start revision nothing guarantees the gap before the stream is complete.
  if (startRevision === undefined) push(gap());
  open();
  try {
    while (!signal.aborted) {
      const ev = queue.shift();
      if (ev) {
        yield ev;
        continue;
      }
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    signal.removeEventListener("abort", notify);
    const w = watcher;
    watcher = undefined;
    // Cancelling asks the server; never wait on a server that may be gone.
    void w?.cancel().catch(() => {});
  }
}
