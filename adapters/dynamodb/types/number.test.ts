import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareDecimal } from "../../../kvclient/decimal.ts";
import { addDec, compareDec, formatDec, numberRangeError, parseDec } from "./number.ts";
import { itemSize, valuesEqual } from "./attribute-value.ts";

const decText = fc
  .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.integer({ min: -30, max: 30 }))
  .map(([neg, coef, exp]) => `${neg ? "-" : ""}${coef}e${exp}`);

/** Exact rational value as (numerator, power-of-ten denominator) for a reference comparison. */
function ref(text: string): [bigint, number] {
  const d = parseDec(text);
  return [BigInt(d.sign) * d.coef, d.exp];
}

describe("exact decimals", () => {
  it("formats canonically", () => {
    expect(formatDec(parseDec("1.50"))).toBe("1.5");
    expect(formatDec(parseDec("-0.000"))).toBe("0");
    expect(formatDec(parseDec("1e3"))).toBe("1000");
    expect(formatDec(parseDec(".5"))).toBe("0.5");
    expect(formatDec(parseDec("-12.5e-3"))).toBe("-0.0125");
    expect(() => parseDec("abc")).toThrow("The parameter cannot be converted to a numeric value: abc");
  });

  it("enforces precision and range", () => {
    expect(numberRangeError(parseDec("1".repeat(39)))).toBe("Attempting to store more than 38 significant digits in a Number");
    expect(numberRangeError(parseDec("1e126"))).toMatch(/overflow/);
    expect(numberRangeError(parseDec("1e-131"))).toMatch(/underflow/);
    expect(numberRangeError(parseDec("9.9999999999999999999999999999999999999e125"))).toBeUndefined();
  });

  it("compares like the key encoding and like exact rationals", () => {
    fc.assert(
      fc.property(decText, decText, (a, b) => {
        const c = compareDec(parseDec(a), parseDec(b));
        const [an, ae] = ref(a);
        const [bn, be] = ref(b);
        const e = Math.min(ae, be);
        const x = an * 10n ** BigInt(ae - e);
        const y = bn * 10n ** BigInt(be - e);
        expect(Math.sign(c)).toBe(x < y ? -1 : x > y ? 1 : 0);
        if (numberRangeError(parseDec(a)) === undefined && numberRangeError(parseDec(b)) === undefined)
          expect(Math.sign(c)).toBe(Math.sign(compareDecimal(formatDec(parseDec(a)), formatDec(parseDec(b)))));
      }),
      { numRuns: 500 },
    );
  });

  it("adds exactly", () => {
    fc.assert(
      fc.property(decText, decText, (a, b) => {
        const sum = addDec(parseDec(a), parseDec(b));
        const back = addDec(sum, { ...parseDec(b), sign: (-parseDec(b).sign) as -1 | 0 | 1 });
        expect(compareDec(back, parseDec(a))).toBe(0);
      }),
      { numRuns: 500 },
    );
  });
});

describe("attribute values", () => {
  it("sizes items as DynamoDB counts them", () => {
    expect(itemSize({ a: { S: "xyz" } })).toBe(4);
    expect(itemSize({ ab: { BOOL: true } })).toBe(3);
    expect(itemSize({ m: { M: { k: { S: "v" } } } })).toBe(1 + 3 + 1 + 1 + 1);
    expect(itemSize({ n: { N: "12345" } })).toBe(1 + 4);
  });
  it("sizes numbers by significant digits either side of the point", () => {
    const cases: [string, number][] = [
      ["0", 1], ["1", 2], ["12", 2], ["123", 3], ["1234", 3], ["12345678901234567890123456789012345678", 20],
      ["0042", 2], ["100", 2], ["1010", 3], ["0.0000001", 2], ["1E125", 2], ["1E-100", 2], ["1.5", 3], ["15", 2],
      ["1.2", 3], ["1.200", 3], ["1.234", 4], ["3.14159", 5], ["123456", 4], ["100.5", 4], ["0.15", 2], ["-42", 3], ["-0", 1],
    ];
    for (const [n, bytes] of cases) expect([n, itemSize({ n: { N: n } }) - 1]).toEqual([n, bytes]);
  });
  it("compares sets regardless of order and number spelling", () => {
    expect(valuesEqual({ NS: ["1", "2.0"] }, { NS: ["2", "1.00"] })).toBe(true);
    expect(valuesEqual({ SS: ["a"] }, { SS: ["b"] })).toBe(false);
  });
});
