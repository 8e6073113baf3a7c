// kvclient's Prometheus metrics. Every label comes from a bounded set: backend and outcome
// are enums, and key families are capped by a LabelBudget.

import { Counter, Gauge, Histogram, register as defaultRegistry, type Registry } from "prom-client";
import { LabelBudget } from "./label-budget.ts";

export const FAMILY_LABEL_CAPACITY = 64;

export interface KvMetrics {
  /** A transaction ended: outcome is "committed" or an ErrorReason. */
  txn(backend: string, outcome: string, retries: number): void;
  conflict(backend: string, family: string): void;
  leaderCheck(backend: string, result: "ok" | "timeout" | "error", seconds: number): void;
  leaderInFlight(backend: string, delta: 1 | -1): void;
}

const byRegistry = new WeakMap<Registry, KvMetrics>();

export function kvMetrics(registry: Registry = defaultRegistry): KvMetrics {
  let m = byRegistry.get(registry);
  if (!m) {
    m = createMetrics(registry);
    byRegistry.set(registry, m);
  }
  return m;
}

function createMetrics(registry: Registry): KvMetrics {
  const registers = [registry];
  const txns = new Counter({
    name: "kv_transactions_total",
    help: "Transactions by final outcome (committed, or the error reason)",
    labelNames: ["backend", "outcome"],
    registers,
  });
  const retries = new Counter({
    name: "kv_transaction_retries_total",
    help: "Transaction attempts re-run after a write conflict",
    labelNames: ["backend"],
    registers,
  });
  const conflicts = new Counter({
    name: "kv_write_conflicts_total",
    help: "Commit-time write conflicts by key family",
    labelNames: ["backend", "family"],
    registers,
  });
  const families = new LabelBudget(FAMILY_LABEL_CAPACITY);
  const checks = new Counter({
    name: "kv_leader_checks_total",
    help: "Underlying leader verifications by result",
    labelNames: ["backend", "result"],
    registers,
  });
  const checkSeconds = new Histogram({
    name: "kv_leader_check_duration_seconds",
    help: "Duration of underlying leader verifications",
    labelNames: ["backend", "result"],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const inFlight = new Gauge({
    name: "kv_leader_checks_in_flight",
    help: "Underlying leader verifications running now (at most 1 per store)",
    labelNames: ["backend"],
    registers,
  });
  return {
    txn(backend, outcome, n) {
      txns.inc({ backend, outcome });
      if (n > 0) retries.inc({ backend }, n);
    },
    conflict(backend, family) {
      conflicts.inc({ backend, family: families.label(family) });
    },
    leaderCheck(backend, result, seconds) {
      checks.inc({ backend, result });
      checkSeconds.observe({ backend, result }, seconds);
    },
    leaderInFlight(backend, delta) {
      inFlight.inc({ backend }, delta);
    },
  };
}
