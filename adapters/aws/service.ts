// The contract between the gateway and a service adapter. The gateway authenticates,
// routes and measures; the adapter parses, operates on the store and serializes.

import type { Registry } from "prom-client";
import type { Logger } from "pino";
import type { Store } from "../../kvclient/store.ts";

export type ServiceName = "s3" | "sqs" | "dynamodb";

/** A configured credential and the S3 owner it stands for. */
export interface Principal {
  accessKeyId: string;
  secretAccessKey: string;
  ownerId: string;
  displayName: string;
}

export interface AdapterConfig {
  store: Store;
  region: string;
  accountId: string;
  /** Metrics registry shared with the gateway's /metrics. */
  registry: Registry;
  logger: Logger;
  /** Virtual-host style base domain for S3 (`bucket.s3.<domain>`), if configured. */
  s3BaseDomain?: string;
  /**
   * Adapter settings by environment-variable name (S3_CHUNK_BYTES, SQS_FIFO_PARTITIONS, …).
   * The gateway fills it from its flags and the environment, so `--help` lists every one;
   * adapters built directly (tests) fall back to process.env.
   */
  env?: Readonly<Record<string, string | undefined>>;
}

/** What a verified signature established about the request. */
export interface SigningInfo {
  accessKeyId: string;
  region: string;
  service: string;
  signedHeaders: string[];
  /** `x-amz-content-sha256` as sent, or undefined for services that hash the body. */
  contentSha256?: string;
  /** Presigned query auth rather than an Authorization header. */
  presigned: boolean;
}

export interface ServiceRequest {
  method: string;
  /** The URL as the client addressed it, host included (used for SQS queue URLs, S3 vhosts). */
  url: URL;
  /**
   * The path exactly as the request target carried it, still percent-encoded. `url.pathname`
   * is normalized (WHATWG resolves `.` and `..` segments, `%2E` included), but an S3 key
   * `a/../b` names a different object than `b`.
   */
  rawPath: string;
  headers: Headers;
  /**
   * The payload, already stripped of aws-chunked framing. It verifies while it streams:
   * a signature, payload-hash or trailer mismatch makes the stream error with an AwsError,
   * so an adapter must not commit anything until it has read the body to its end.
   */
  body: ReadableStream<Uint8Array> | null;
  /**
   * The whole verified payload, present for buffered services (sqs, dynamodb), whose
   * bodies the gateway must hash to check the signature anyway, and for S3 bodies of at
   * most 1 MiB with a Content-Length (not aws-chunked ones: those arrive decoded in `body`).
   */
  bytes?: Uint8Array;
  /** Decoded payload length when known (x-amz-decoded-content-length or Content-Length). */
  contentLength: number | undefined;
  /** Trailing headers of an aws-chunked body; resolves after `body` has been fully read. */
  trailers: Promise<Headers>;
  principal: Principal;
  signing: SigningInfo;
  requestId: string;
  /** Aborts when the client goes away or the gateway shuts down. Hand it to the store. */
  signal: AbortSignal;
  /** The adapter names the operation (from its `operations` list) for metrics and logs. */
  operation?: string;
}

export interface ServiceAdapter {
  readonly service: ServiceName;
  /** Fixed operation names: the only values the request metrics accept (plus "unknown"). */
  readonly operations: readonly string[];
  handle(req: ServiceRequest): Promise<Response>;
  /** Start background work (GC, reapers, sweepers, move tasks). */
  start?(): Promise<void>;
  /** Stop background work; the gateway closes the store afterwards. */
  stop?(): Promise<void>;
}

export type AdapterFactory = (config: AdapterConfig) => ServiceAdapter;
