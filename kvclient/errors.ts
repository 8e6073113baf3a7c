// Typed store errors. Callers branch on the class, never on message text.

export type ErrorReason =
  | "write_conflict"
  | "retry_limit"
  | "deadline_exceeded"
  | "not_leader"
  | "unavailable"
  | "too_large"
  | "other";

export class KvError extends Error {
  readonly reason: ErrorReason = "other";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A transaction's read set changed before it could commit. */
export class WriteConflictError extends KvError {
  override readonly reason = "write_conflict";
  constructor(
    message = "transaction read set changed before commit",
    readonly family = "unknown",
  ) {
    super(message);
  }
}

/** Attempts or time ran out while retrying conflicts; `cause` is the last conflict. */
export class RetryLimitError extends KvError {
  override readonly reason = "retry_limit";
  constructor(
    message: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    super(message, { cause });
  }
}

/** The caller's signal or the call's own bound fired first. */
export class DeadlineExceededError extends KvError {
  override readonly reason = "deadline_exceeded";
}

/** The store has no leader that confirms quorum (or our member is not the leader). */
export class NotLeaderError extends KvError {
  override readonly reason = "not_leader";
}

/** The store could not be reached or refused service. */
export class UnavailableError extends KvError {
  override readonly reason = "unavailable";
}

/** A value, key or transaction exceeds the backend's limits; nothing was written. */
export class TooLargeError extends KvError {
  override readonly reason = "too_large";
}

/**
 * Map any error to a bounded reason. RetryLimitError is checked first because it wraps
 * (and must win over) the WriteConflictError that caused it.
 */
export function errorReason(err: unknown): ErrorReason {
  if (err instanceof RetryLimitError) return "retry_limit";
  if (err instanceof KvError) return err.reason;
  return "other";
}

/** Leadership-loss errors are the only ones that invalidate cached leader knowledge. */
export function isLeadershipLoss(err: unknown): boolean {
  return err instanceof NotLeaderError || err instanceof UnavailableError;
}
