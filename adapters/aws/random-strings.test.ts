import { describe, expect, it } from "vitest";
import { randomStrings } from "./random-strings.ts";

describe("randomStrings", () => {
  it("gives distinct strings of the asked size across many refills", () => {
    const next = randomStrings(6, "base64url", 4);
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const s = next();
      expect(s).toMatch(/^[A-Za-z0-9_-]{8}$/);
      seen.add(s);
    }
    expect(seen.size).toBe(1000);
    expect(randomStrings(16, "hex")()).toMatch(/^[0-9a-f]{32}$/);
  });
});
