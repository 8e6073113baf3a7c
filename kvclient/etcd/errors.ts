// Map etcd3 / gRPC failures to kvclient's typed errors. etcd reports its own conditions
// (no leader, too many ops, request too large, compacted revision) only as gRPC status
// messages from its fixed rpctypes table, so this one place reads those messages; the rest
// of kvclient branches on the classes returned here.

import {
  ClientClosedError,
  GRPCDeadlineExceededError,
  GRPCUnavailableError,
  GRPCCancelledError,
  GRPCResourceExhastedError,
} from "etcd3";
import {
  DeadlineExceededError,
  KvError,
  NotLeaderError,
  TooLargeError,
  UnavailableError,
  WriteConflictError,
} from "../errors.ts";

// From etcd's api/v3rpc/rpctypes (3.4).
const NOT_LEADER = ["etcdserver: no leader", "etcdserver: not leader", "etcdserver: leader changed"];
const TOO_LARGE = [
  "etcdserver: too many operations in txn request",
  "etcdserver: request is too large",
  "received message larger than max",
  "grpc: trying to send message larger than max",
];
const UNAVAILABLE = [
  "etcdserver: request timed out",
  "mvcc: database space exceeded",
  "etcdserver: too many requests",
  "etcdserver: server stopped",
  "etcdserver: unhealthy cluster",
];
/** A pinned read revision that is gone or not yet applied on this member. */
const STALE_REVISION = ["mvcc: required revision has been compacted", "mvcc: required revision is a future revision"];

const has = (msg: string, needles: string[]) => needles.some((n) => msg.includes(n));

/**
 * The kvclient error for an etcd3 failure. `inTxn` turns a stale pinned revision into a
 * write conflict, so the transaction re-runs at a fresh revision.
 */
export function mapEtcdError(err: unknown, what: string, inTxn = false): KvError {
  if (err instanceof KvError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  const opts = { cause: err };
  if (has(msg, TOO_LARGE)) return new TooLargeError(`${what}: ${msg}`, opts);
  if (has(msg, NOT_LEADER)) return new NotLeaderError(`${what}: ${msg}`, opts);
  if (has(msg, STALE_REVISION)) {
    if (inTxn) return new WriteConflictError(`${what}: ${msg}`);
    return new UnavailableError(`${what}: ${msg}`, opts);
  }
  // The server's own context expiring (a read index that never came back) arrives as
  // UNKNOWN "context deadline exceeded".
  if (err instanceof GRPCDeadlineExceededError || msg.includes("context deadline exceeded")) return new DeadlineExceededError(`${what}: deadline exceeded`, opts);
  if (has(msg, UNAVAILABLE)) return new UnavailableError(`${what}: ${msg}`, opts);
  if (
    err instanceof GRPCUnavailableError ||
    err instanceof GRPCCancelledError ||
    err instanceof ClientClosedError ||
    err instanceof GRPCResourceExhastedError
  ) {
    return new UnavailableError(`${what}: ${msg}`, opts);
  }
  return new KvError(`${what}: ${msg}`, opts);
}

/** A call that ran out of time: the member may be paused or cut off from the leader. */
export function isGrpcDeadline(err: unknown): boolean {
  return err instanceof GRPCDeadlineExceededError || (err instanceof Error && err.message.includes("context deadline exceeded"));
}

/**
 * The call never left this process: gRPC had no connection to the member (refused, or
 * still connecting). Only such a failure lets a commit be resent elsewhere; any other may
 * have been applied.
 */
export function wasNotSent(err: unknown): boolean {
  const raw = err instanceof KvError ? err.cause : err;
  return raw instanceof GRPCUnavailableError && raw.message.includes("No connection established");
}
