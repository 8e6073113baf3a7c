import { describe, expect, it } from "vitest";
import { bound, raceAbort, sharedBound } from "./deadline.ts";
import { DeadlineExceededError } from "./errors.ts";

describe("bound", () => {
  it("fires when the bound elapses, with a TimeoutError reason", async () => {
    const b = bound(undefined, 50);
    expect(b.deadline.getTime()).toBeGreaterThan(Date.now());
    await new Promise((r) => setTimeout(r, 120));
    expect(b.signal.aborted).toBe(true);
    expect((b.signal.reason as DOMException).name).toBe("TimeoutError");
  });

  it("fires with the caller's reason when the caller aborts first, or already has", () => {
    const ac = new AbortController();
    const b = bound(ac.signal, 10_000);
    ac.abort("gone");
    expect(b.signal.aborted).toBe(true);
    expect(b.signal.reason).toBe("gone");
    expect(bound(AbortSignal.abort("early"), 10_000).signal.reason).toBe("early");
  });

  it("never fires after dispose", async () => {
    const ac = new AbortController();
    const b = bound(ac.signal, 30);
    b.dispose();
    ac.abort();
    await new Promise((r) => setTimeout(r, 80));
    expect(b.signal.aborted).toBe(false);
  });

  it("releases raceAbort at the bound", async () => {
    const b = bound(undefined, 50);
    await expect(raceAbort(new Promise(() => {}), b.signal, "stalled")).rejects.toBeInstanceOf(DeadlineExceededError);
  });
});

describe("bound() under many concurrent listeners", () => {
  it("lets dozens of calls listen on one bound signal without a MaxListenersExceeded warning", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      const b = bound(undefined, 5_000);
      const inner = Array.from({ length: 40 }, () => bound(b.signal, 5_000));
      await new Promise((r) => setTimeout(r, 10));
      for (const i of inner) i.dispose();
      b.dispose();
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
  });
});

describe("sharedBound", () => {
  it("gives calls starting within the slack one signal, and later calls a new one", async () => {
    const ac = new AbortController();
    const a = sharedBound(ac.signal, 1_600);
    expect(sharedBound(ac.signal, 1_600)).toBe(a);
    // Other callers and other bound lengths never share it.
    expect(sharedBound(new AbortController().signal, 1_600)).not.toBe(a);
    expect(sharedBound(ac.signal, 3_200)).not.toBe(a);
    // The slack is 1600 / 16 = 100 ms: past it, reusing `a` would cut the bound short.
    await new Promise((r) => setTimeout(r, 150));
    expect(sharedBound(ac.signal, 1_600)).not.toBe(a);
  });

  it("fires no earlier than the bound of the last call that shared it", async () => {
    const started = Date.now();
    const a = sharedBound(undefined, 320);
    await new Promise((r) => setTimeout(r, 10));
    const lastShare = Date.now();
    expect(sharedBound(undefined, 320)).toBe(a);
    const fired = await new Promise<number>((r) => a.addEventListener("abort", () => r(Date.now()), { once: true }));
    expect(fired - lastShare).toBeGreaterThanOrEqual(320 - 2); // timers may round by a millisecond
    expect(fired - started).toBeLessThan(2_000);
    expect((a.reason as DOMException).name).toBe("TimeoutError");
    // A fired bound is never handed out again.
    expect(sharedBound(undefined, 320)).not.toBe(a);
  });

  it("fires with the caller's reason when the caller aborts", () => {
    const ac = new AbortController();
    const a = sharedBound(ac.signal, 10_000);
    ac.abort("gone");
    expect(a.aborted).toBe(true);
    expect(a.reason).toBe("gone");
    const after = sharedBound(ac.signal, 10_000);
    expect(after.aborted).toBe(true);
  });
});
