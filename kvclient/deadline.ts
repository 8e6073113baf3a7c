// Every kvclient call is bounded: by the caller's signal when it has one, and always by a
// default bound, so nothing waits forever on a stalled store (see FIELD-NOTES: a put
// against a quorum-less etcd hangs ~7 s, a linearizable read ~12 s, with no deadline).

import { setMaxListeners } from "node:events";
import { DeadlineExceededError } from "./errors.ts";

export const DEFAULT_CALL_BOUND_MS = 10_000;

export interface Bound {
  /** Fires when the caller aborts or the bound elapses. */
  signal: AbortSignal;
  /** Absolute wall-clock deadline of the bound (for gRPC deadlines). */
  deadline: Date;
  /**
   * Release the timer and the listener on the caller's signal early (optional: both are
   * released anyway when the bound elapses).
   */
  dispose(): void;
}

/**
 * The earlier of the caller's signal and `boundMs` from now.
 *
 * Built from one AbortController and one unref'd timer rather than AbortSignal.timeout
 * plus AbortSignal.any: those cost ~11 us and ~18 us per call here, and a store running
 * thousands of transactions a second creates one bound per transaction.
 */
export function bound(callerSignal: AbortSignal | undefined, boundMs = DEFAULT_CALL_BOUND_MS): Bound {
  const controller = new AbortController();
  // Callers hand this signal to many calls at once (a batch of reads in one transaction),
  // each listening until it settles: not a leak, so no MaxListenersExceeded warning.
  setMaxListeners(0, controller.signal);
  const deadline = new Date(Date.now() + boundMs);
  let onCallerAbort: (() => void) | undefined;
  const release = () => {
    clearTimeout(timer);
    if (onCallerAbort) callerSignal!.removeEventListener("abort", onCallerAbort);
    onCallerAbort = undefined;
  };
  const timer = setTimeout(() => {
    release();
    controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
  }, boundMs);
  timer.unref();
  if (callerSignal?.aborted) {
    release();
    controller.abort(callerSignal.reason);
  } else if (callerSignal) {
    onCallerAbort = () => {
      release();
      controller.abort(callerSignal.reason);
    };
    callerSignal.addEventListener("abort", onCallerAbort, { once: true });
  }
  return { signal: controller.signal, deadline, dispose: release };
}

interface SharedBound {
  signal: AbortSignal;
  /** Date.now() at which the bound fires. */
  firesAt: number;
}

/** The latest shared bound per bound length, per caller signal (see sharedBound). */
const sharedByCaller = new WeakMap<AbortSignal, Map<number, SharedBound>>();
const sharedWithoutCaller = new Map<number, SharedBound>();

/**
 * A bound like bound()'s that calls may share: it fires when the caller aborts, or no
 * earlier than `boundMs` and at most `boundMs / 16` later than the call started.
 *
 * Calls starting within that slack with the same caller signal get the same signal, so a
 * connection running thousands of transactions a second makes one bound every ~600 ms
 * instead of one per transaction (~4.5 µs each: the signal, its timer, the listener on the
 * caller). Nothing to dispose: the shared timer ends at the bound and is unref'd.
 */
export function sharedBound(callerSignal: AbortSignal | undefined, boundMs = DEFAULT_CALL_BOUND_MS): AbortSignal {
  let latest = callerSignal ? sharedByCaller.get(callerSignal) : sharedWithoutCaller;
  const now = Date.now();
  const current = latest?.get(boundMs);
  if (current && !current.signal.aborted && current.firesAt - now >= boundMs) return current.signal;
  const span = boundMs + Math.floor(boundMs / 16);
  const shared: SharedBound = { signal: bound(callerSignal, span).signal, firesAt: now + span };
  if (!latest) sharedByCaller.set(callerSignal!, (latest = new Map()));
  latest.set(boundMs, shared);
  // Forgotten once fired, so the map holds live bounds only.
  const map = latest;
  shared.signal.addEventListener("abort", () => map.get(boundMs) === shared && map.delete(boundMs), { once: true });
  return shared.signal;
}

/** The typed error for an aborted signal, keeping the abort reason as the cause. */
export function abortError(signal: AbortSignal, what: string): DeadlineExceededError {
  return new DeadlineExceededError(`${what}: deadline exceeded`, { cause: signal.reason });
}

/**
 * Settle with `work`, or reject with DeadlineExceededError as soon as `signal` aborts.
 * The work itself is not cancelled here; callers give it its own deadline so that an
 * abandoned call still ends.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(abortError(signal, what));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => {});
      reject(abortError(signal, what));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/** Sleep that ends early (rejecting) when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal, what = "sleep"): Promise<void> {
  if (signal.aborted) return Promise.reject(abortError(signal, what));
  // The abort listener is removed when the timer fires: a transaction's signal lives
  // across all its retries, and a listener left per backoff would pile up on it.
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal, what));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
