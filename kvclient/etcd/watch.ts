// etcd watch streams as an AsyncIterable of wake-ups.
//
// Each stream runs on a client of its own, and a broken stream is replaced together with
// its client, resuming from the last revision delivered. etcd3's own reconnect is not
// used: a dying stream reports both 'error' and 'end', each schedules a reconnect, and
// under load the full suite saw a watch that stayed silent for 20 s after its member was
// killed. When a watcher is cancelled by the server (for example its revision was
// compacted) we start a live one and emit a synthetic event for the prefix itself, so
// that consumers, which treat events as "re-read now", cannot miss a change in the gap.

import type { Etcd3, IKeyValue, Watcher } from "etcd3";
import type { WatchEvent } from "../store.ts";
import { view } from "./bytes.ts";

/** Oldest events are dropped beyond this; consumers only need to know something changed. */
const MAX_QUEUED = 4096;

/** Reconnect delays after consecutive failures (all members down must not spin). */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 2_000;
/**
 * A connected stream can fall behind for good: under load, a stream opened during a
 * leader change was seen on a member that kept sending progress notifications for
 * revision 3 while the cluster committed past it, for 20 s. Two checks catch such streams:
 * - silence: the server's progress notifications (etcd
 *   --experimental-watch-progress-notify-interval; the harness and README set 2 s) prove a
 *   stream alive, and one silent for this many intervals, and at least STALE_MIN_MS, is
 *   replaced;
 * - lag: each check reads the cluster's head revision (linearizable), and a stream that
 *   has still not reached the head seen at the previous check is replaced.
 * Replacing loses nothing: the new stream resumes from the last revision delivered.
 */
const STALE_INTERVALS = 3;
const STALE_MIN_MS = 5_000;

/** Where watch streams get their clients, so the store can close any still open. */
export interface WatchClients {
  open(): Etcd3;
  release(client: Etcd3): void;
  /**
   * The server's progress-notification interval: assumed from configuration until a
   * stream observes it, then shared by every stream of the store. A stream that is deaf
   * from its start never observes one, so the assumption is what arms its watchdog.
   */
  progressEveryMs: number;
}

export async function* watchPrefix(
  clients: WatchClients,
  fullPrefix: Buffer,
  stripBytes: number,
  signal: AbortSignal,
  currentRevision: (signal: AbortSignal) => Promise<string>,
): AsyncGenerator<WatchEvent> {
  if (signal.aborted) return;
  // Watch from a revision read now, not from whenever the stream happens to connect: a
  // broken stream resumes from the last revision delivered, and before the first event
  // that is this one, so a change made while the first stream was still connecting (or
  // its member dying) is not lost.
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
  // The next revision to resume from; advanced past every event delivered.
  let resumeFrom = startRevision === undefined ? undefined : BigInt(startRevision);
  const event = (type: "put" | "delete", kv: IKeyValue): WatchEvent => {
    const modRevision = BigInt(kv.mod_revision);
    if (resumeFrom === undefined || modRevision >= resumeFrom) resumeFrom = modRevision + 1n;
    return { type, key: view(kv.key, stripBytes), modRevision };
  };
  const gap = (): WatchEvent => ({ type: "put", key: view(fullPrefix, stripBytes), modRevision: 0n });

  let watcher: Watcher | undefined;
  let client: Etcd3 | undefined;
  let retryMs = FIRST_RETRY_MS;
  let retryTimer: NodeJS.Timeout | undefined;
  // Liveness: when the current stream last said anything, and the progress interval seen.
  let lastHeard = 0;
  let lastProgress = 0;
  // The revision the current stream is known to have reached (events and progress headers).
  let streamRevision = 0n;
  let headAtLastCheck: bigint | undefined;
  let checking = false;
  const checkEveryMs = () => Math.max(STALE_MIN_MS, STALE_INTERVALS * clients.progressEveryMs);
  const check = async (w: Watcher) => {
    if (Date.now() - lastHeard > checkEveryMs()) return replace(w);
    const behind = headAtLastCheck !== undefined && streamRevision < headAtLastCheck;
    if (behind) return replace(w);
    try {
      headAtLastCheck = BigInt(await currentRevision(signal));
    } catch {
      headAtLastCheck = undefined;
    }
  };
  const staleCheck = setInterval(() => {
    const w = watcher;
    if (!w || signal.aborted || checking) return;
    checking = true;
    void check(w).finally(() => (checking = false));
  }, checkEveryMs());
  staleCheck.unref();
  const replace = (w: Watcher) => {
    if (watcher !== w || signal.aborted) return;
    // With no revision to resume from, a change may slip by unseen: wake consumers.
    if (resumeFrom === undefined) push(gap());
    retire();
    retryTimer = setTimeout(() => open(false), retryMs);
    retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
  };
  const retire = () => {
    const w = watcher;
    const c = client;
    watcher = undefined;
    client = undefined;
    // Cancelling asks the server; never wait on a server that may be gone.
    void w?.cancel().catch(() => {}).finally(() => c && clients.release(c));
  };
  const open = (live: boolean) => {
    retryTimer = undefined;
    if (signal.aborted) return;
    const c = clients.open();
    const builder = c.watch().prefix(fullPrefix);
    if (!live && resumeFrom !== undefined) builder.startRevision(resumeFrom.toString());
    const w = builder.watcher();
    w.on("connected", () => {
      if (watcher !== w) return;
      retryMs = FIRST_RETRY_MS;
      lastHeard = Date.now();
    });
    w.on("data", (res: { events?: unknown[]; header?: { revision?: string } }) => {
      if (watcher !== w) return;
      const now = Date.now();
      lastHeard = now;
      const rev = res.header?.revision;
      if (rev !== undefined && BigInt(rev) > streamRevision) streamRevision = BigInt(rev);
      if ((res.events?.length ?? 0) === 0) {
        if (lastProgress > 0) clients.progressEveryMs = now - lastProgress;
        lastProgress = now;
      }
    });
    w.on("put", (kv) => push(event("put", kv)));
    w.on("delete", (kv) => push(event("delete", kv)));
    // A broken stream: replace it (and its client), resuming where delivery stopped.
    w.on("disconnected", () => replace(w));
    // Cancelled by the server (e.g. its revision was compacted): resume live after a gap.
    w.on("error", () => {
      if (watcher !== w || signal.aborted) return;
      push(gap());
      retire();
      open(true);
    });
    watcher = w;
    client = c;
    lastHeard = Date.now();
    lastProgress = 0;
    streamRevision = 0n;
    headAtLastCheck = undefined;
  };
  signal.addEventListener("abort", notify, { once: true });
  // Without a start revision nothing guarantees the gap before the stream is complete.
  if (startRevision === undefined) push(gap());
  open(false);
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
    if (retryTimer) clearTimeout(retryTimer);
    clearInterval(staleCheck);
    retire();
  }
}
