import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { IncomingHeaders } from "./incoming-headers.ts";

describe("IncomingHeaders", () => {
  it("reads like fetch Headers: any case, repeated fields joined, sorted iteration", () => {
    const raw = ["Host", "h", "X-Amz-Meta-B", "2", "content-type", "text/plain", "x-amz-meta-b", "3", "X-Amz-Date", "d"];
    const h = new IncomingHeaders(raw);
    expect(h.get("HOST")).toBe("h");
    expect(h.get("x-amz-meta-b")).toBe("2, 3");
    expect(h.has("Content-Type")).toBe(true);
    expect(h.get("missing")).toBeNull();
    expect([...h.keys()]).toEqual(["content-type", "host", "x-amz-date", "x-amz-meta-b"]);
  });

  it("agrees with fetch Headers on any header list", () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,12}$/);
    const value = fc.stringMatching(/^[!-~]([ -~]{0,20}[!-~])?$/);
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value), { maxLength: 12 }), (pairs) => {
        const ours = new IncomingHeaders(pairs.flat());
        const fetchHeaders = new Headers();
        for (const [k, v] of pairs) fetchHeaders.append(k, v);
        expect([...ours]).toEqual([...fetchHeaders]);
        for (const [k] of pairs) expect(ours.get(k.toUpperCase())).toBe(fetchHeaders.get(k));
      }),
    );
  });

  it("keeps each value of a repeated field for the signature checks, until it is set or deleted", () => {
    const h = new IncomingHeaders(["A", " 1 ", "b", "x", "a", "2", "A", "3"]);
    expect(h.get("a")).toBe(" 1 , 2, 3");
    expect(h.repeated).toEqual({ a: [" 1 ", "2", "3"] });
    h.set("a", "4");
    expect(h.repeated).toEqual({});
    expect(new IncomingHeaders(["a", "1"]).repeated).toBeUndefined();
  });

  it("reflects changes in later reads and iteration", () => {
    const h = new IncomingHeaders(["b", "1"]);
    h.set("A", "x");
    h.append("b", "2");
    h.delete("missing");
    expect([...h.entries()]).toEqual([["a", "x"], ["b", "1, 2"]]);
    h.delete("B");
    expect([...h.values()]).toEqual(["x"]);
  });
});
