export interface BenchOptions {
  /** A/B rounds per comparison (medians are reported). */
  rounds: number;
  /** Seconds of load per system per round. */
  seconds: number;
}
