// Request metrics. Labels are bounded: service is an enum, operation comes from each
// adapter's fixed list (anything else is "unknown"), status is an HTTP status code the
// gateway itself produced.
//
// prom-client hashes and validates the label object on every inc/set/observe (~1-2 µs
// each). The request counter and the in-flight gauge are therefore kept as plain numbers
// and handed to prom-client when it collects for a scrape; only the latency histogram
// is updated per request.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { RoutedService } from "./routing.ts";

export const UNKNOWN_OPERATION = "unknown";

export class RequestMetrics {
  readonly registry = new Registry();
  private readonly known = new Map<string, Set<string>>();
  private readonly requests: Counter<"service" | "operation" | "status">;
  private readonly seconds: Histogram<"service" | "operation">;
  private readonly inFlight: Gauge<"service">;
  private readonly inFlightBy = new Map<string, number>();
  /** Requests counted since the last scrape, by "service operation status". */
  private readonly pending = new Map<string, { labels: { service: string; operation: string; status: string }; n: number }>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    const pending = this.pending;
    this.requests = new Counter({
      name: "gateway_requests_total",
      help: "Requests by service, operation and HTTP status",
      labelNames: ["service", "operation", "status"],
      registers,
      collect() {
        for (const series of pending.values()) {
          if (series.n > 0) this.inc(series.labels, series.n);
          series.n = 0;
        }
      },
    });
    this.seconds = new Histogram({
      name: "gateway_request_duration_seconds",
      help: "Time to response headers, by service and operation",
      labelNames: ["service", "operation"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    const inFlightBy = this.inFlightBy;
    this.inFlight = new Gauge({
      name: "gateway_requests_in_flight",
      help: "Requests being handled now, by service",
      labelNames: ["service"],
      registers,
      collect() {
        for (const [service, n] of inFlightBy) this.set({ service }, n);
      },
    });
  }

  /** Declare a service's fixed operation list; only these names become label values. */
  declare(service: RoutedService | "unsupported", operations: readonly string[]): void {
    this.known.set(service, new Set(operations));
  }

  operationLabel(service: string, operation: string | undefined): string {
    return operation !== undefined && this.known.get(service)?.has(operation) ? operation : UNKNOWN_OPERATION;
  }

  begin(service: string): void {
    this.inFlightBy.set(service, (this.inFlightBy.get(service) ?? 0) + 1);
  }

  end(service: string, operation: string | undefined, status: number, seconds: number): string {
    const op = this.operationLabel(service, operation);
    this.inFlightBy.set(service, (this.inFlightBy.get(service) ?? 1) - 1);
    const key = `${service} ${op} ${status}`;
    let series = this.pending.get(key);
    if (series === undefined) {
      series = { labels: { service, operation: op, status: String(status) }, n: 0 };
      this.pending.set(key, series);
    }
    series.n++;
    this.seconds.observe({ service, operation: op }, seconds);
    return op;
  }
}
