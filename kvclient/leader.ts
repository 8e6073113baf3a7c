// Single-flight leader verification. However many callers ask at once, at most one
// underlying check runs; each caller waits only until its own signal fires; and the
// shared check ends by its own 5 s bound even if every caller has gone, so a stalled
// store can never pile up waiters or work.

import { DeadlineExceededError } from "./errors.ts";
import { raceAbort } from "./deadline.ts";
import type { LeaderInfo } from "./store.ts";
import type { KvMetrics } from "./metrics.ts";

export const LEADER_CHECK_BOUND_MS = 5_000;

/** The backend's check. It must honour `signal` (give its RPCs that deadline). */
export type LeaderCheck = (signal: AbortSignal, deadline: Date) => Promise<Omit<LeaderInfo, "latencyMs">>;

export class LeaderVerifier {
  private inFlight: Promise<LeaderInfo> | undefined;

  constructor(
    private readonly check: LeaderCheck,
    private readonly metrics: KvMetrics,
    private readonly backend: string,
    private readonly boundMs = LEADER_CHECK_BOUND_MS,
  ) {}

  /** Number of underlying checks running now (0 or 1). */
  get running(): number {
    return this.inFlight ? 1 : 0;
  }

  verify(signal?: AbortSignal): Promise<LeaderInfo> {
    const shared = this.inFlight ?? this.start();
    return signal ? raceAbort(shared, signal, "leader check") : shared;
  }

  private start(): Promise<LeaderInfo> {
    const started = performance.now();
    const own = AbortSignal.timeout(this.boundMs);
    const deadline = new Date(Date.now() + this.boundMs);
    this.metrics.leaderInFlight(this.backend, 1);
    // The race against `own` guarantees the shared promise settles within the bound even
    // when the backend's check ignores its signal and never settles.
    // An async wrapper turns a check that throws synchronously into a rejection, so the
    // gauge incremented above is always decremented below.
    const work = (async () => this.check(own, deadline))();
    const p = raceAbort(work, own, "leader check")
      .then(
        (info) => {
          const latencyMs = performance.now() - started;
          this.metrics.leaderCheck(this.backend, "ok", latencyMs / 1000);
          return { ...info, latencyMs };
        },
        (err: unknown) => {
          const result = err instanceof DeadlineExceededError ? "timeout" : "error";
          this.metrics.leaderCheck(this.backend, result, (performance.now() - started) / 1000);
          throw err;
        },
      )
      .finally(() => {
        if (this.inFlight === p) this.inFlight = undefined;
        this.metrics.leaderInFlight(this.backend, -1);
      });
    this.inFlight = p;
    // Nobody may be listening any more when it fails; that must not be an unhandled rejection.
    p.catch(() => {});
    return p;
  }
}
