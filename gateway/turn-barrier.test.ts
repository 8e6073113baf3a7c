import { describe, expect, it } from "vitest";
import { endOfTurn } from "./turn-barrier.ts";

describe("endOfTurn", () => {
  it("shares one wake-up among the callers of a turn and resolves only after the turn's microtasks", async () => {
    const order: string[] = [];
    const a = endOfTurn().then(() => order.push("a"));
    const b = endOfTurn().then(() => order.push("b"));
    expect(endOfTurn()).toBe(endOfTurn());
    queueMicrotask(() => order.push("microtask"));
    await Promise.all([a, b]);
    expect(order).toEqual(["microtask", "a", "b"]);
  });

  it("starts a new turn once the previous one has ended", async () => {
    const first = endOfTurn();
    await first;
    const second = endOfTurn();
    expect(second).not.toBe(first);
    await second;
  });
});
