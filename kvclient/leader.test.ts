// LeaderVerifier against a check that never answers and ignores its signal: callers are
// released by their own bound, and the stalled work never piles up.

import { describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { LeaderVerifier, LEADER_CHECK_BOUND_MS, type LeaderCheck } from "./leader.ts";
import { DeadlineExceededError } from "./errors.ts";
import { kvMetrics } from "./metrics.ts";

function stalled() {
  let calls = 0;
  const check: LeaderCheck = () => {
    calls++;
    return new Promise(() => {});
  };
  return { check, calls: () => calls };
}

async function inFlightGauge(registry: Registry): Promise<number> {
  const metric = await registry.getSingleMetric("kv_leader_checks_in_flight")?.get();
  return metric?.values.find((v) => v.labels.backend === "fake")?.value ?? 0;
}

async function timed<T>(p: Promise<T>): Promise<{ ms: number; err: unknown }> {
  const t0 = performance.now();
  try {
    await p;
    return { ms: performance.now() - t0, err: undefined };
  } catch (err) {
    return { ms: performance.now() - t0, err };
  }
}

describe("LeaderVerifier with a check that never answers", () => {
  it("fails a caller with no signal after the 5 s bound", async () => {
    const registry = new Registry();
    const v = new LeaderVerifier(stalled().check, kvMetrics(registry), "fake");
    const { ms, err } = await timed(v.verify());
    expect(err).toBeInstanceOf(DeadlineExceededError);
    expect(ms).toBeGreaterThanOrEqual(LEADER_CHECK_BOUND_MS - 500);
    expect(ms).toBeLessThanOrEqual(LEADER_CHECK_BOUND_MS + 500);
    expect(v.running).toBe(0);
  });

  it("fails a caller whose signal aborts at 1 s at about 1 s", async () => {
    const registry = new Registry();
    const v = new LeaderVerifier(stalled().check, kvMetrics(registry), "fake");
    const { ms, err } = await timed(v.verify(AbortSignal.timeout(1_000)));
    expect(err).toBeInstanceOf(DeadlineExceededError);
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(ms).toBeLessThanOrEqual(1_500);
  });

  it("shares one check among 1,000 callers and leaves none running after they abort", async () => {
    const registry = new Registry();
    const fake = stalled();
    const v = new LeaderVerifier(fake.check, kvMetrics(registry), "fake");
    let maxRunning = 0;
    let maxGauge = 0;
    const sample = setInterval(() => {
      maxRunning = Math.max(maxRunning, v.running);
      void inFlightGauge(registry).then((g) => (maxGauge = Math.max(maxGauge, g)));
    }, 10);
    try {
      const controllers = Array.from({ length: 1_000 }, () => new AbortController());
      const calls = controllers.map((c) => timed(v.verify(c.signal)));
      expect(v.running).toBe(1);
      expect(await inFlightGauge(registry)).toBe(1);
      // Callers give up at staggered times over ~1 s; each is released at its own abort.
      controllers.forEach((c, i) => setTimeout(() => c.abort(), (i % 100) * 10));
      const results = await Promise.all(calls);
      const allAborted = performance.now();
      for (const r of results) {
        expect(r.err).toBeInstanceOf(DeadlineExceededError);
        expect(r.ms).toBeLessThan(2_500);
      }
      // The shared check ends by its own bound although nobody waits for it.
      while (v.running > 0 && performance.now() - allAborted < 6_000) await new Promise((r) => setTimeout(r, 50));
      expect(performance.now() - allAborted).toBeLessThanOrEqual(5_000);
      expect(v.running).toBe(0);
      expect(await inFlightGauge(registry)).toBe(0);
      expect(fake.calls()).toBe(1);
      expect(maxRunning).toBeLessThanOrEqual(1);
      expect(maxGauge).toBeLessThanOrEqual(1);
    } finally {
      clearInterval(sample);
    }
  });

  it("starts a fresh check once the stalled one has ended", async () => {
    const registry = new Registry();
    const fake = stalled();
    const v = new LeaderVerifier(fake.check, kvMetrics(registry), "fake", 200);
    await expect(v.verify()).rejects.toBeInstanceOf(DeadlineExceededError);
    await expect(v.verify()).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(fake.calls()).toBe(2);
    expect(await inFlightGauge(registry)).toBe(0);
  });

  it("keeps the in-flight gauge balanced when a check throws synchronously", async () => {
    const registry = new Registry();
    const v = new LeaderVerifier(() => {
      throw new Error("boom");
    }, kvMetrics(registry), "fake");
    await expect(v.verify()).rejects.toThrow("boom");
    expect(v.running).toBe(0);
    expect(await inFlightGauge(registry)).toBe(0);
  });
});
