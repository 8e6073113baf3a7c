// etcd watch streams as an AsyncIterable of wake-ups.
//
// An etcd watch stream reports only what the member it is connected to has applied, and
// nothing tells a client that this member has been left behind. A member cut off from its
// peers keeps its client port open and keeps sending progress notifications for the
// revision it last applied (the member-kill test saw one stuck at revision 3 while the
// cluster committed past it), and a stream on a member that died keeps being reopened on
// whatever member the store believes leads. So this file does not trust the stream or the
// store's idea of the leader; it checks the stream against the cluster:
//
// - Every check interval it reads the cluster's head revision (a linearizable read; if that
//   fails, the highest revision among members that see a leader). A stream whose position
//   (the revision in the headers it sends) has not reached the head read one interval
//   earlier is behind: it is replaced. A stream silent for that long is replaced too.
// - The check runs whether or not a stream is open, so a watch that keeps failing to
//   reconnect is still checked (and its head reads keep the store's leader up to date).
// - A new stream goes to a member chosen by asking every member for its status: one of
//   this cluster, with a leader, at or past the head last seen, and not one found behind
//   recently; the believed leader is preferred among equals. It resumes from the revision
//   up to which everything has been delivered, so nothing is lost by replacing.
// - Whenever a change committed an interval ago cannot be shown delivered, the consumer
//   gets a synthetic event for the prefix itself ("re-read now"). Consumers treat every
//   event as a wake-up, so a spurious one costs a read and a missing one is the bug; this
//   bounds how late a change can be seen even when no good stream can be had.
// - Each stream has a client of its own, replaced with it; etcd3's own reconnect (which
//   schedules two per failure, one for 'error' and one for 'end') is not used.

import type { Etcd3, IKeyValue, IResponseHeader, IStatusResponse, Watcher } from "etcd3";
import type { WatchEvent } from "../store.ts";
import { view } from "./bytes.ts";

/** Oldest events are dropped beyond this; consumers only need to know something changed. */
const MAX_QUEUED = 4096;

/** Reconnect delays after consecutive failures (all members down must not spin). */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 2_000;
/**
 * The check interval: this many progress-notification intervals (etcd
 * --experimental-watch-progress-notify-interval; the harness and README set 2 s), and at
 * least STALE_MIN_MS. A healthy stream reports a revision at least every interval.
 */
const STALE_INTERVALS = 3;
const STALE_MIN_MS = 5_000;
/** Bound of a check's head read and of a status probe: well inside one check interval. */
const HEAD_READ_MS = 3_000;
const PROBE_MS = 2_000;
/**
 * A progress notification that arrives this long after a head read and still reports an
 * older revision comes from a member that has not applied what the cluster committed.
 */
const LAG_GRACE_MS = 2_000;
/** A member whose stream was behind, deaf or of another cluster is passed over this long. */
const SHUN_MS = 30_000;
/** Cancelling a watcher asks its server, which may be gone: release its client after this. */
const CANCEL_MS = 2_000;

/** What a head read returns: the cluster's latest revision, and which cluster answered. */
export interface ClusterHead {
  revision: bigint;
  clusterId: string;
}

/** Where watch streams get their clients, so the store can close any still open. */
export interface WatchClients {
  /** Number of members (endpoints); members are numbered from 0. */
  readonly members: number;
  /** The member the store believes leads (or, not knowing, its next pick). */
  preferred(): number;
  /** A client of its own on member `i`, for one stream. */
  open(member: number): Etcd3;
  release(client: Etcd3): void;
  /** Member `i`'s status (its own view: applied revision, leader), within `deadline`. */
  status(member: number, deadline: number): Promise<IStatusResponse>;
  /**
   * The server's progress-notification interval: assumed from configuration until a
   * stream observes two in a row, then shared by every stream of the store.
   */
  progressEveryMs: number;
}

/**
 * KV_WATCH_DEBUG=1 traces stream choices, checks and replacements on stderr: these
 * failures show up under load on a shared machine and are hard to reproduce on demand.
 */
const DEBUG = process.env.KV_WATCH_DEBUG === "1";
const dbg = (msg: () => string) => {
  if (DEBUG) process.stderr.write(`[kv watch ${process.pid} ${new Date().toISOString().slice(11, 23)}] ${msg()}\n`);
};

interface Stream {
  id: number;
  w: Watcher;
  c: Etcd3;
  memberId: string;
  /** Highest revision any response header on this stream reported: where its member is. */
  position: bigint;
  openedAt: number;
  lastHeard: number;
  /** When the last progress notification arrived, if no event came since. */
  lastProgress: number;
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);

export async function* watchPrefix(
  clients: WatchClients,
  fullPrefix: Buffer,
  stripBytes: number,
  signal: AbortSignal,
  readHead: (signal: AbortSignal) => Promise<ClusterHead>,
): AsyncGenerator<WatchEvent> {
  if (signal.aborted) return;
  let closed = false;
  const done = () => closed || signal.aborted;

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
  const gap = (why: string) => {
    dbg(() => `gap (${why})`);
    push({ type: "put", key: view(fullPrefix, stripBytes), modRevision: 0n });
  };

  // Delivery state. Everything up to resumeFrom - 1 has been delivered by some stream of
  // this cluster (events, or a progress notification, which etcd sends only to a watcher
  // that is up to date). Everything up to coveredTo was covered by a synthetic event.
  let resumeFrom: bigint | undefined;
  let coveredTo = 0n;
  let gapOnResume = false;
  const delivered = () => max(coveredTo, resumeFrom === undefined ? 0n : resumeFrom - 1n);

  // What we know of the cluster: its id (from the first head read) and its head.
  let clusterId: string | undefined;
  let head: bigint | undefined;
  /** When head last grew. */
  let headAt = 0;
  /** The head read at the previous check: a healthy stream has reached it by now. */
  let headAtLastCheck: bigint | undefined;
  const shunned = new Map<string, number>();
  const isShunned = (memberId: string) => (shunned.get(memberId) ?? 0) > Date.now();
  const foreign = (h: IResponseHeader | undefined) => clusterId !== undefined && h?.cluster_id !== undefined && h.cluster_id !== clusterId;

  const raiseHead = (rev: bigint) => {
    if (head !== undefined && rev <= head) return;
    head = rev;
    headAt = Date.now();
  };
  const learnHead = (h: ClusterHead): boolean => {
    clusterId ??= h.clusterId;
    // A read answered by another cluster (an endpoint now served by someone else) is no head.
    if (h.clusterId !== clusterId) return false;
    raiseHead(h.revision);
    return true;
  };

  /** Every member's status, in parallel and bounded; failures are undefined. */
  const probe = () => {
    const deadline = Date.now() + PROBE_MS;
    return Promise.all(
      Array.from({ length: clients.members }, (_, i) =>
        clients.status(i, deadline).then(
          (st) => ({ i, st }),
          () => ({ i, st: undefined }),
        ),
      ),
    );
  };
  const ours = (st: IStatusResponse | undefined): st is IStatusResponse =>
    st !== undefined && (clusterId === undefined || st.header.cluster_id === clusterId);

  /**
   * The cluster's head now: a linearizable read through the store; if that fails, the
   * highest revision applied by a member that sees a leader (every applied revision is
   * committed, so this never overstates the head).
   */
  const readHeadNow = async (): Promise<bigint | undefined> => {
    const t0 = Date.now();
    try {
      const h = await readHead(AbortSignal.any([signal, AbortSignal.timeout(HEAD_READ_MS)]));
      if (learnHead(h)) return h.revision;
    } catch (err) {
      dbg(() => `head read failed after ${Date.now() - t0}ms: ${String(err)}`);
      // fall through to the members' own view
    }
    if (done()) return undefined;
    let best: bigint | undefined;
    for (const { st } of await probe()) {
      if (!ours(st) || st.leader === "0") continue;
      const rev = BigInt(st.header.revision);
      if (best === undefined || rev > best) best = rev;
    }
    if (best !== undefined) raiseHead(best);
    return best;
  };

  let cur: Stream | undefined;
  let streamIds = 0;
  let opening = false;
  let retryMs = FIRST_RETRY_MS;
  let retryTimer: NodeJS.Timeout | undefined;

  const retire = (s: Stream) => {
    s.w.removeAllListeners();
    // etcd3 may still emit 'error' on it (a late cancellation), and an EventEmitter with no
    // 'error' listener throws.
    s.w.on("error", () => {});
    // Cancelling asks the server; never wait on a server that may be gone.
    const cancelled = s.w.cancel().catch(() => {});
    const timeout = new Promise<void>((r) => setTimeout(r, CANCEL_MS).unref());
    void Promise.race([cancelled, timeout]).finally(() => clients.release(s.c));
  };

  const scheduleOpen = () => {
    if (retryTimer || opening || cur || done()) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void open();
    }, retryMs);
    retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
  };

  /** Drop stream `s` and open another; `shun` passes over its member for a while. */
  const replace = (s: Stream, why: string, shun: boolean) => {
    if (cur !== s || done()) return;
    dbg(() => `replace sid=${s.id} member=${s.memberId} (${why}) position=${s.position} head=${head}`);
    if (shun) shunned.set(s.memberId, Date.now() + SHUN_MS);
    cur = undefined;
    retire(s);
    scheduleOpen();
  };

  /** A member for a new stream: a client on it and its member id, or undefined if none answers. */
  const choose = async (): Promise<{ c: Etcd3; memberId: string } | undefined> => {
    const statuses = await probe();
    if (done()) return undefined;
    const first = clients.preferred();
    const n = clients.members;
    // Preference order among equals: the believed leader, then the rest in turn.
    const answered = statuses
      .filter((p): p is { i: number; st: IStatusResponse } => ours(p.st))
      .sort((a, b) => ((a.i - first + n) % n) - ((b.i - first + n) % n));
    const rev = (p: { st: IStatusResponse }) => BigInt(p.st.header.revision);
    const current = (p: { st: IStatusResponse }) => head === undefined || rev(p) >= head;
    const welcome = (p: { st: IStatusResponse }) => !isShunned(p.st.header.member_id);
    const byRevision = (ps: typeof answered) => [...ps].sort((a, b) => (rev(b) > rev(a) ? 1 : rev(b) < rev(a) ? -1 : 0));
    // Best first; a member behind, leaderless or shunned only when nothing better answers
    // (the checks will move the stream once something better does).
    const pick =
      answered.find((p) => welcome(p) && current(p) && p.st.leader !== "0") ??
      answered.find((p) => welcome(p) && current(p)) ??
      byRevision(answered.filter(welcome))[0] ??
      byRevision(answered)[0];
    if (!pick) return undefined;
    dbg(() => `choose member=${pick.i}/${pick.st.header.member_id} rev=${rev(pick)} leader=${pick.st.leader} head=${head} preferred=${first} statuses=${statuses.map((p) => (p.st ? `${p.i}:${p.st.header.revision}/${p.st.leader}` : `${p.i}:-`)).join(",")}`);
    return { c: clients.open(pick.i), memberId: pick.st.header.member_id };
  };

  const start = (c: Etcd3, memberId: string, from: bigint) => {
    const w = c.watch().prefix(fullPrefix).startRevision(from.toString()).watcher();
    const now = Date.now();
    const s: Stream = { id: ++streamIds, w, c, memberId, position: 0n, openedAt: now, lastHeard: now, lastProgress: 0 };
    dbg(() => `open sid=${s.id} member=${memberId} from=${from}`);
    cur = s;
    const event = (type: "put" | "delete", kv: IKeyValue): void => {
      if (cur !== s) return;
      const modRevision = BigInt(kv.mod_revision);
      if (resumeFrom === undefined || modRevision >= resumeFrom) resumeFrom = modRevision + 1n;
      push({ type, key: view(kv.key, stripBytes), modRevision });
    };
    w.on("connected", (res: { header?: IResponseHeader }) => {
      if (cur !== s) return;
      if (foreign(res.header)) return replace(s, `cluster ${res.header?.cluster_id}`, true);
      s.lastHeard = Date.now();
      // The member's revision when it created the watcher: where it is, not what was delivered.
      if (res.header?.revision !== undefined) s.position = max(s.position, BigInt(res.header.revision));
    });
    // Ahead of etcd3's own 'data' listener, which emits 'put' and 'delete': a response from
    // another cluster must be refused before its events count as delivered.
    w.prependListener("data", (res: { events?: unknown[]; header?: IResponseHeader }) => {
      if (cur !== s) return;
      if (foreign(res.header)) return replace(s, `cluster ${res.header?.cluster_id}`, true);
      const now = Date.now();
      s.lastHeard = now;
      retryMs = FIRST_RETRY_MS;
      const rev = res.header?.revision === undefined ? undefined : BigInt(res.header.revision);
      if (rev !== undefined) s.position = max(s.position, rev);
      if ((res.events?.length ?? 0) > 0) {
        s.lastProgress = 0;
        return;
      }
      // A progress notification: everything up to its revision has been delivered. (Event
      // responses prove less: catching up, etcd sends a batch under the current revision.)
      if (rev !== undefined && (resumeFrom === undefined || rev + 1n > resumeFrom)) resumeFrom = rev + 1n;
      if (s.lastProgress > 0) clients.progressEveryMs = now - s.lastProgress;
      s.lastProgress = now;
      // Its member is still short of a head read a while ago: move now, not at the next check.
      if (rev !== undefined && head !== undefined && rev < head && now - headAt > LAG_GRACE_MS) {
        replace(s, `behind: progress at ${rev}, head ${head} read ${now - headAt} ms ago`, true);
      }
    });
    w.on("put", (kv: IKeyValue) => event("put", kv));
    w.on("delete", (kv: IKeyValue) => event("delete", kv));
    // A broken stream (its member died, say): replace it, resuming where delivery stopped.
    w.on("disconnected", () => replace(s, "disconnected", false));
    // Cancelled by the server (its start revision was compacted, say): nothing can resume
    // from there, so start at the head again and wake consumers to re-read what was skipped.
    w.on("error", () => {
      if (cur !== s || done()) return;
      resumeFrom = undefined;
      gapOnResume = true;
      replace(s, "cancelled by server", false);
    });
  };

  const tryOpen = async (): Promise<boolean> => {
    if (resumeFrom === undefined) {
      const h = await readHeadNow();
      if (h === undefined || done()) return false;
      resumeFrom = h + 1n;
      if (gapOnResume) {
        gapOnResume = false;
        coveredTo = max(coveredTo, h);
        gap("resuming at the head");
      }
    }
    const chosen = await choose();
    if (!chosen) return false;
    if (done() || cur) {
      clients.release(chosen.c);
      return !done();
    }
    start(chosen.c, chosen.memberId, resumeFrom);
    return true;
  };

  const open = async () => {
    if (done() || cur || opening) return;
    opening = true;
    let ok = false;
    try {
      ok = await tryOpen();
    } catch (err) {
      dbg(() => `open failed: ${String(err)}`);
    } finally {
      opening = false;
    }
    if (!ok) scheduleOpen();
  };

  const checkEveryMs = () => Math.max(STALE_MIN_MS, STALE_INTERVALS * clients.progressEveryMs);
  let checking = false;
  const check = async () => {
    const previous = headAtLastCheck;
    const now = await readHeadNow();
    if (done()) return;
    const s = cur;
    dbg(() => `check sid=${s?.id ?? "-"} position=${s?.position ?? "-"} delivered=${delivered()} previous=${previous} now=${now}`);
    if (previous !== undefined && delivered() < previous) {
      // Committed an interval ago and still not shown delivered: a consumer may be waiting
      // on it. Wake it to re-read (a read now sees everything up to `now`).
      gap(`delivered ${delivered()} < ${previous}`);
      coveredTo = max(coveredTo, now ?? previous);
    }
    if (s && cur === s) {
      // A stream that has not said where its member is gets one interval to do so.
      const judged = s.position > 0n || Date.now() - s.openedAt > checkEveryMs();
      if (previous !== undefined && judged && s.position < previous) replace(s, `behind: at ${s.position}, head was ${previous}`, true);
      else if (Date.now() - s.lastHeard > checkEveryMs()) replace(s, "silent", true);
    }
    // A failed read keeps the last head: a stream must still reach what is known committed.
    headAtLastCheck = now ?? previous;
  };
  const checker = setInterval(() => {
    if (checking || done()) return;
    checking = true;
    void check()
      .catch((err) => dbg(() => `check failed: ${String(err)}`))
      .finally(() => (checking = false));
  }, checkEveryMs());
  checker.unref();

  signal.addEventListener("abort", notify, { once: true });
  try {
    // Watch from a revision read now, not from whenever the stream happens to connect: a
    // change made while the first stream is still connecting (or its member dying) is then
    // not lost. Without a head there is nothing to resume from yet; open() keeps trying.
    const h = await readHeadNow();
    if (h !== undefined) resumeFrom = h + 1n;
    // Starting later than asked: wake consumers once a stream is there to re-read what passed.
    else gapOnResume = true;
    headAtLastCheck = h;
    void open();
    while (!done()) {
      const ev = queue.shift();
      if (ev) {
        yield ev;
        continue;
      }
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    closed = true;
    signal.removeEventListener("abort", notify);
    if (retryTimer) clearTimeout(retryTimer);
    clearInterval(checker);
    const s = cur;
    cur = undefined;
    if (s) retire(s);
  }
}
