// What every operation needs: the store, the account's identity, queue URL/ARN formats,
// queue lookup, the long-poll hub and the metrics. One instance per adapter.

import type { Logger } from "pino";
import type { Store } from "../../kvclient/store.ts";
import { queueDoesNotExist } from "./errors.ts";
import { decodeJson, queueKey, type QueueRecord } from "./keyspace.ts";
import type { Input, OperationContext } from "./model.ts";
import type { WaitHub } from "./long-poll.ts";
import type { SqsMetrics } from "./metrics.ts";
import { FifoSendQueue } from "./fifo-send-queue.ts";
import { QueueCache } from "./queue-cache.ts";
import { WriteBatcher } from "./write-batcher.ts";

export interface SqsOptions {
  /** Partitions of every FIFO queue created from now on (fixed per queue at creation). */
  fifoPartitions: number;
  /** Interval of the retention / dedup / deleted-queue reaper, ms. */
  reaperIntervalMs: number;
  /** Interval of the queue depth observer, ms. */
  depthIntervalMs: number;
}

export const DEFAULT_FIFO_PARTITIONS = 8;

/** Queue URLs remembered by queueNameOf (the map is cleared when it fills). */
const MAX_CACHED_URLS = 4096;
const MAX_CACHED_URL_LENGTH = 512;

export class SqsService {
  private readonly namesByUrl = new Map<string, string>();
  readonly fifoSends: FifoSendQueue;
  readonly queues: QueueCache;
  /** Group commit for standard-queue sends. */
  readonly sends: WriteBatcher;

  constructor(
    readonly store: Store,
    readonly region: string,
    readonly accountId: string,
    readonly logger: Logger,
    readonly options: SqsOptions,
    readonly hub: WaitHub,
    readonly metrics: SqsMetrics,
  ) {
    this.fifoSends = new FifoSendQueue(store);
    this.queues = new QueueCache(store, logger);
    this.sends = new WriteBatcher(store, "sqs.send");
  }

  queueUrl(origin: string, name: string): string {
    return `${origin}/${this.accountId}/${name}`;
  }

  queueArn(name: string): string {
    return `arn:aws:sqs:${this.region}:${this.accountId}:${name}`;
  }

  /** The queue name an ARN of this account/region names, if it does. */
  private nameFromArn(arn: string): string | undefined {
    const parts = arn.split(":");
    if (parts.length !== 6 || parts[0] !== "arn" || parts[2] !== "sqs") return undefined;
    if (parts[4] !== this.accountId) return undefined;
    return parts[5] || undefined;
  }

  /** The queue an ARN of this account names, as getQueue reads it; undefined when none. */
  queueByArn(arn: string, signal: AbortSignal): Promise<QueueRecord | undefined> {
    const name = this.nameFromArn(arn);
    return name === undefined ? Promise.resolve(undefined) : this.getQueue(name, signal);
  }

  /** The queue record, possibly a few seconds stale (see QueueCache). */
  getQueue(name: string, signal: AbortSignal): Promise<QueueRecord | undefined> {
    return this.queues.get(name, signal);
  }

  /** The queue record read from the store now (for decisions that must not be stale). */
  async getQueueFresh(name: string, signal: AbortSignal): Promise<QueueRecord | undefined> {
    const kv = await this.store.get(queueKey(name), { signal });
    return kv ? decodeJson<QueueRecord>(kv.value) : undefined;
  }

  /**
   * The queue a request addresses: its QueueUrl member (any host; the path names the
   * account and queue), else the URL path the Query request was sent to.
   */
  queueNameOf(input: Input, op: OperationContext): string {
    const raw = typeof input.QueueUrl === "string" && input.QueueUrl !== "" ? input.QueueUrl : op.pathQueueUrl;
    if (!raw) throw queueDoesNotExist();
    // Clients repeat the same few URLs: parsing one (a WHATWG URL) costs more than a lookup.
    const known = this.namesByUrl.get(raw);
    if (known !== undefined) return known;
    const name = this.parseQueueUrl(raw);
    if (raw.length <= MAX_CACHED_URL_LENGTH) {
      if (this.namesByUrl.size >= MAX_CACHED_URLS) this.namesByUrl.clear();
      this.namesByUrl.set(raw, name);
    }
    return name;
  }

  private parseQueueUrl(raw: string): string {
    let path = raw;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
      try {
        path = new URL(raw).pathname;
      } catch {
        throw queueDoesNotExist();
      }
    }
    const segments = path.split("/").filter((s) => s !== "");
    if (segments.length === 0) throw queueDoesNotExist();
    let name: string;
    try {
      name = decodeURIComponent(segments[segments.length - 1]!);
    } catch {
      // A stray "%" cannot name any queue (found by e2e/gateway/fuzz.test.ts: it was a 500).
      throw queueDoesNotExist();
    }
    if (segments.length >= 2 && segments[segments.length - 2] !== this.accountId && /^[0-9]{12}$/.test(segments[segments.length - 2]!)) {
      throw queueDoesNotExist();
    }
    return name;
  }

  async requireQueue(input: Input, op: OperationContext, fresh = false): Promise<QueueRecord> {
    const name = this.queueNameOf(input, op);
    // A cache hit does not touch op.signal: building the request's AbortSignal costs more
    // than the lookup, and a standard send never needs it.
    const q = fresh ? await this.getQueueFresh(name, op.signal) : (this.queues.peek(name) ?? (await this.getQueue(name, op.signal)));
    if (!q) throw queueDoesNotExist();
    return q;
  }
}
