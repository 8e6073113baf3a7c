import { describe, expect, it } from "vitest";
import { LabelBudget, OTHER_LABEL } from "./label-budget.ts";

describe("LabelBudget", () => {
  it("tracks up to capacity names and puts the rest under _other", () => {
    const b = new LabelBudget(2);
    expect(b.label("a")).toBe("a");
    expect(b.label("b")).toBe("b");
    expect(b.label("c")).toBe(OTHER_LABEL);
    expect(b.label("a")).toBe("a");
    expect(b.size).toBe(2);
  });

  it("promotes a new name once a slot is released", () => {
    const b = new LabelBudget(1);
    b.label("a");
    expect(b.label("b")).toBe(OTHER_LABEL);
    expect(b.release("a")).toBe(true);
    expect(b.label("b")).toBe("b");
    expect(b.has("a")).toBe(false);
  });
});
