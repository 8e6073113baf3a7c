// The optimistic-transaction driver shared by every backend: run the body, commit, and on
// a conflict re-run with jittered exponential backoff, bounded in attempts and in time.

import { sharedBound, sleep, DEFAULT_CALL_BOUND_MS } from "./deadline.ts";
import { RetryLimitError, WriteConflictError, errorReason } from "./errors.ts";
import type { TxnOptions } from "./store.ts";
import type { KvMetrics } from "./metrics.ts";

export const DEFAULT_MAX_ATTEMPTS = 8;
const BASE_BACKOFF_MS = 2;
const MAX_BACKOFF_MS = 250;

/**
 * One attempt: run the body and commit. Resolves with the body's result, or rejects with
 * WriteConflictError when the read set changed (any other error ends the transaction).
 */
export type Attempt<T> = (signal: AbortSignal) => Promise<T>;

export function runTransaction<T>(
  attempt: Attempt<T>,
  opts: TxnOptions | undefined,
  metrics: KvMetrics,
  backend: string,
): Promise<T> {
  const signal = sharedBound(opts?.signal, opts?.timeoutMs ?? DEFAULT_CALL_BOUND_MS);
  return runAttempts(attempt, opts, metrics, backend, signal);
}

async function runAttempts<T>(
  attempt: Attempt<T>,
  opts: TxnOptions | undefined,
  metrics: KvMetrics,
  backend: string,
  signal: AbortSignal,
): Promise<T> {
  const family = opts?.family ?? "unknown";
  const maxAttempts = Math.max(1, opts?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  let lastConflict: WriteConflictError | undefined;
  let attempts = 0;
  for (let n = 1; ; n++) {
    attempts = n;
    try {
      const result = await attempt(signal);
      metrics.txn(backend, "committed", n - 1);
      return result;
    } catch (err) {
      if (!(err instanceof WriteConflictError)) {
        metrics.txn(backend, errorReason(err), n - 1);
        throw err;
      }
      lastConflict = err;
      metrics.conflict(backend, family);
      if (n >= maxAttempts) break;
      // Full jitter: uniform in [0, min(cap, base * 2^n)).
      const backoff = Math.random() * Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** n);
      try {
        await sleep(backoff, signal, "transaction backoff");
      } catch {
        break;
      }
    }
  }
  const err = new RetryLimitError(
    `transaction gave up after conflicts (family ${family})`,
    attempts,
    lastConflict,
  );
  metrics.txn(backend, "retry_limit", attempts - 1);
  throw err;
}
