// The etcd backend of the Store contract.
//
// Every RPC carries an absolute gRPC deadline (etcd3 has no AbortSignal support, and after
// quorum loss a call without one hangs for ~7-12 s), and the caller's signal is raced
// against it so the caller is released at its own time while the abandoned RPC still ends
// by its deadline. Calls go to the known leader (see channel.ts); reads that hit a
// leadership loss move to another member and retry within their bound. A commit moves only
// when it provably never left this process; otherwise its failure (outcome unknown) goes to
// the caller.

import { Etcd3, SortOrder, SortTarget, type IRangeRequest, type IRangeResponse, type IStatusResponse } from "etcd3";
import type { Registry } from "prom-client";
import { abortError, bound, raceAbort, sleep, DEFAULT_CALL_BOUND_MS, type Bound } from "../deadline.ts";
import { NotLeaderError, UnavailableError, isLeadershipLoss } from "../errors.ts";
import { LeaderVerifier } from "../leader.ts";
import { kvMetrics, type KvMetrics } from "../metrics.ts";
import { runTransaction } from "../retry.ts";
import type {
  KeyValue,
  LeaderInfo,
  Range,
  ReadOptions,
  ScanOptions,
  ScanResult,
  Store,
  StoreLimits,
  Txn,
  TxnOptions,
  WatchEvent,
} from "../store.ts";
import { MemberChannel, etcd3Options } from "./channel.ts";
import { isGrpcDeadline, mapEtcdError, wasNotSent } from "./errors.ts";
import { join, lowKey, view } from "./bytes.ts";
import { EtcdTxn, conflict, type TxnBackend } from "./txn.ts";
import { watchPrefix, type WatchClients } from "./watch.ts";

/** Match ETCD_GATEWAY_FLAGS in kvclient/testing/etcd-cluster.ts. */
export const DEFAULT_MAX_TXN_OPS = 1024;
export const DEFAULT_MAX_REQUEST_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_KEY_BYTES = 4096;
/** Pairs returned by a scan without a limit (or with a larger one); `more` says so. */
export const DEFAULT_MAX_SCAN_LIMIT = 10_000;
/** Room left in a request for the key, compares and framing next to one maximal value. */
const VALUE_HEADROOM_BYTES = 64 * 1024;
const RETRY_BACKOFF_MS = [25, 50, 100, 200, 400];

/** The progress-notification interval the README and harness give etcd. */
export const DEFAULT_WATCH_PROGRESS_MS = 2_000;

export interface EtcdStoreOptions {
  /** Client URLs; the first is this gateway's "local" member. */
  endpoints: string[];
  registry?: Registry;
  /** Namespace for every key (tests use unique prefixes). */
  prefix?: Uint8Array;
  /**
   * "quorum" (default): some member confirms a leader with quorum. "local": additionally
   * the first endpoint's member must be that leader (NotLeaderError otherwise).
   */
  leaderCheck?: "quorum" | "local";
  /** Must not exceed the cluster's --max-txn-ops. */
  maxTxnOps?: number;
  /** Must not exceed the cluster's --max-request-bytes. */
  maxRequestBytes?: number;
  maxKeyBytes?: number;
  maxScanLimit?: number;
  /** Default bound of a call without a caller deadline, in ms. */
  callBoundMs?: number;
  /**
   * The cluster's --experimental-watch-progress-notify-interval, in ms (default 2 s, as the
   * README and harness set it). A watch stream silent for three of these is replaced.
   */
  watchProgressMs?: number;
}

export async function openEtcdStore(opts: EtcdStoreOptions): Promise<Store> {
  const store = new EtcdStore(opts);
  // Learn member ids and the leader up front; an unreachable cluster is not an error here
  // (calls will fail within their bounds), so a gateway can start before its store.
  await store.channel.refresh(true);
  return store;
}

class EtcdStore implements Store, TxnBackend {
  readonly backend = "etcd" as const;
  readonly limits: StoreLimits;
  readonly prefix: Buffer;
  readonly maxScanLimit: number;
  readonly channel: MemberChannel;
  /** Each watch stream runs on a client of its own (see watch.ts for why). */
  private readonly watchClients: WatchClients;
  private readonly openWatchClients = new Set<Etcd3>();
  private readonly metrics: KvMetrics;
  private readonly verifier: LeaderVerifier;
  private readonly boundMs: number;
  private readonly leaderMode: "quorum" | "local";
  private readonly leaderProbeKey: Buffer;
  private closed = false;

  constructor(opts: EtcdStoreOptions) {
    const maxRequestBytes = opts.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    this.limits = {
      maxTxnOps: opts.maxTxnOps ?? DEFAULT_MAX_TXN_OPS,
      maxRequestBytes,
      maxValueBytes: maxRequestBytes - VALUE_HEADROOM_BYTES,
      maxKeyBytes: opts.maxKeyBytes ?? DEFAULT_MAX_KEY_BYTES,
    };
    this.prefix = Buffer.from(opts.prefix ?? new Uint8Array(0));
    this.maxScanLimit = opts.maxScanLimit ?? DEFAULT_MAX_SCAN_LIMIT;
    this.boundMs = opts.callBoundMs ?? DEFAULT_CALL_BOUND_MS;
    this.leaderMode = opts.leaderCheck ?? "quorum";
    // etcd rejects an empty key.
    this.leaderProbeKey = this.prefix.length > 0 ? this.prefix : Buffer.from([0]);
    // Responses can hold a scan of many large values; 4 MiB (gRPC's default) is too small.
    const maxReceiveBytes = Math.max(64 * 1024 * 1024, 4 * maxRequestBytes);
    this.channel = new MemberChannel({ endpoints: opts.endpoints, maxReceiveBytes });
    // A watch stream is idle between events, so a silently dead connection would never be
    // noticed; HTTP/2 pings find it. 10 s stays above etcd's --grpc-keepalive-min-time (5 s),
    // below which it answers pings with GOAWAY.
    this.watchClients = {
      members: opts.endpoints.length,
      // Among members equally fit for a stream, the one the channel treats as leader: the
      // leader is never behind. watch.ts checks every member's status before choosing.
      preferred: () => this.channel.pick(),
      open: (member) => {
        const watchOptions = etcd3Options([opts.endpoints[member]!], maxReceiveBytes);
        const c = new Etcd3({
          ...watchOptions,
          grpcOptions: { ...watchOptions.grpcOptions, "grpc.keepalive_time_ms": 10_000, "grpc.keepalive_timeout_ms": 3_000 },
        });
        this.openWatchClients.add(c);
        return c;
      },
      release: (c) => {
        this.openWatchClients.delete(c);
        c.close();
      },
      status: (member, deadline) => {
        if (this.closed) return Promise.reject(new UnavailableError("watch: store is closed"));
        return this.channel.clients[member]!.maintenance.status({ deadline });
      },
      progressEveryMs: opts.watchProgressMs ?? DEFAULT_WATCH_PROGRESS_MS,
    };
    this.metrics = kvMetrics(opts.registry);
    this.verifier = new LeaderVerifier((signal, deadline) => this.checkLeader(signal, deadline), this.metrics, "etcd");
  }

  /** One RPC on the current member; failures are mapped and fed to the channel. */
  private once<T>(
    what: string,
    member: number,
    deadline: number,
    fn: (client: Etcd3, callOpts: { deadline: number }) => Promise<T>,
    inTxn: boolean,
  ): Promise<T> {
    return fn(this.channel.clients[member]!, { deadline }).catch((err: unknown) => {
      const mapped = mapEtcdError(err, what, inTxn);
      this.channel.failed(member, mapped, isGrpcDeadline(err));
      throw mapped;
    });
  }

  /**
   * Run an idempotent RPC until it succeeds, fails with something other than a leadership
   * loss, or its bound runs out. `member` fixes the member (no failover) when given.
   */
  private async call<T>(
    what: string,
    signal: AbortSignal | undefined,
    deadline: number,
    fn: (client: Etcd3, callOpts: { deadline: number }) => Promise<T>,
    opts: { inTxn?: boolean; member?: number; retryIf?: (err: unknown) => boolean } = {},
  ): Promise<T> {
    const retryable = opts.retryIf ?? isLeadershipLoss;
    let retryBound: Bound | undefined;
    try {
      for (let attempt = 0; ; attempt++) {
        if (signal?.aborted) throw abortError(signal, what);
        // Without this a closed client's errors would look like a lost member and be retried.
        if (this.closed) throw new UnavailableError(`${what}: store is closed`);
        const member = opts.member ?? this.channel.pick();
        const work = this.once(what, member, deadline, fn, opts.inTxn ?? false);
        try {
          return await (signal ? raceAbort(work, signal, what) : work);
        } catch (err) {
          const backoff = RETRY_BACKOFF_MS[Math.min(attempt, RETRY_BACKOFF_MS.length - 1)]!;
          if (!retryable(err) || Date.now() + backoff >= deadline) throw err;
          // Only a retry needs a combined signal; the common path stays allocation-light.
          retryBound ??= bound(signal, deadline - Date.now());
          await sleep(backoff, retryBound.signal, what).catch(() => {
            throw err;
          });
        }
      }
    } finally {
      retryBound?.dispose();
    }
  }

  private range(req: IRangeRequest, opts: ReadOptions | undefined, what: string): Promise<IRangeResponse> {
    if (opts?.consistency === "serializable") req.serializable = true;
    const deadline = Date.now() + this.boundMs;
    return this.call(what, opts?.signal, deadline, (c, o) => c.kv.range(req, o));
  }

  txnRange(req: IRangeRequest, signal: AbortSignal, deadline: number): Promise<IRangeResponse> {
    return this.call("transaction read", signal, deadline, (c, o) => c.kv.range(req, o), { inTxn: true });
  }

  async get(key: Uint8Array, opts?: ReadOptions): Promise<KeyValue | undefined> {
    const resp = await this.range({ key: join(this.prefix, key) }, opts, "get");
    const kv = resp.kvs[0];
    if (!kv) return undefined;
    return { key: view(kv.key, this.prefix.length), value: view(kv.value), modRevision: BigInt(kv.mod_revision) };
  }

  async scan(opts: ScanOptions): Promise<ScanResult> {
    const start = lowKey(join(this.prefix, opts.start));
    const end = join(this.prefix, opts.end);
    if (Buffer.compare(start, end) >= 0) return { kvs: [], more: false };
    const limit = Math.min(opts.limit ?? this.maxScanLimit, this.maxScanLimit);
    const req: IRangeRequest = { key: start, range_end: end, limit };
    if (opts.reverse) {
      req.sort_order = SortOrder.Descend;
      req.sort_target = SortTarget.Key;
    }
    if (opts.keysOnly) req.keys_only = true;
    const resp = await this.range(req, opts, "scan");
    const empty = new Uint8Array(0);
    return {
      kvs: resp.kvs.map((kv) => ({
        key: view(kv.key, this.prefix.length),
        value: opts.keysOnly ? empty : view(kv.value),
        modRevision: BigInt(kv.mod_revision),
      })),
      more: resp.more,
    };
  }

  async count(range: Range, opts?: ReadOptions): Promise<number> {
    const start = lowKey(join(this.prefix, range.start));
    const end = join(this.prefix, range.end);
    if (Buffer.compare(start, end) >= 0) return 0;
    const resp = await this.range({ key: start, range_end: end, count_only: true }, opts, "count");
    return Number(resp.count);
  }

  transact<T>(body: (txn: Txn) => Promise<T>, opts?: TxnOptions): Promise<T> {
    const family = opts?.family ?? "unknown";
    const deadline = Date.now() + (opts?.timeoutMs ?? this.boundMs);
    return runTransaction(
      async (signal) => {
        if (signal.aborted) throw abortError(signal, "transaction");
        if (this.closed) throw new UnavailableError("transaction: store is closed");
        const txn = new EtcdTxn(this, signal, deadline);
        // A body that ignores its signal must not hold the caller; once abandoned it can no
        // longer commit (its reads fail on the aborted signal, and nobody commits for it).
        const result = await raceAbort(body(txn), signal, "transaction body");
        if (!txn.hasWrites) return result;
        const req = txn.commitRequest();
        // Resent elsewhere only when it provably never left (see wasNotSent): the commit
        // may otherwise have been applied, and running it twice is not ours to decide.
        const commitOpts = { inTxn: true, retryIf: wasNotSent };
        const single = req.compare!.length === 0 && req.success!.length === 1 ? req.success![0]! : undefined;
        if (single) {
          // A blind single write needs no Txn: etcd serves a plain Put ~25% faster.
          await this.call<unknown>(
            "transaction commit",
            signal,
            deadline,
            (c, o) => (single.request_put ? c.kv.put(single.request_put, o) : c.kv.deleteRange(single.request_delete_range!, o)),
            commitOpts,
          );
          return result;
        }
        const resp = await this.call("transaction commit", signal, deadline, (c, o) => c.kv.txn(req, o), commitOpts);
        if (!resp.succeeded) throw conflict(family);
        return result;
      },
      opts,
      this.metrics,
      "etcd",
    );
  }

  verifyLeader(signal?: AbortSignal): Promise<LeaderInfo> {
    return this.verifier.verify(signal);
  }

  /**
   * A linearizable read (only a leader with quorum can serve it), then the same member's
   * status (who leads, in which term), under the check's own deadline. The order matters:
   * right after a leader dies a follower still names it in its status, but cannot serve the
   * read until a new leader is elected, and after that read its status names the new one.
   */
  private async checkLeader(signal: AbortSignal, deadlineDate: Date): Promise<Omit<LeaderInfo, "latencyMs">> {
    const deadline = deadlineDate.getTime();
    const local = this.leaderMode === "local";
    let statusMember = 0;
    const status = await this.call<IStatusResponse>(
      "leader check",
      signal,
      deadline,
      async (c, o) => {
        await c.kv.range({ key: this.leaderProbeKey, keys_only: true, count_only: true }, o);
        statusMember = this.channel.clients.indexOf(c);
        return c.maintenance.status(o);
      },
      local ? { member: 0 } : {},
    );
    this.channel.learn(statusMember, status);
    if (status.leader === "0") throw new NotLeaderError("etcd member sees no leader");
    const localId = this.channel.memberId(0);
    const localIsLeader = localId !== undefined && localId === status.leader;
    if (local && !localIsLeader) {
      throw new NotLeaderError(`local etcd member ${localId ?? "?"} is not the leader (${status.leader})`);
    }
    return { backend: "etcd", leaderId: status.leader, term: BigInt(status.raftTerm), localIsLeader };
  }

  watch(prefix: Uint8Array, signal: AbortSignal): AsyncIterable<WatchEvent> {
    return watchPrefix(this.watchClients, join(this.prefix, prefix), this.prefix.length, signal, async (s) => {
      const resp = await this.range({ key: this.leaderProbeKey, count_only: true }, { signal: s }, "watch head");
      return { revision: BigInt(resp.header.revision), clusterId: resp.header.cluster_id };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channel.close();
    for (const c of this.openWatchClients) c.close();
    this.openWatchClients.clear();
  }
}
