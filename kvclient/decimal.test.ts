import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DecimalFormatError,
  KeyDecodeError,
  MAX_ENCODED_DECIMAL_LENGTH,
  canonicalDecimal,
  compareDecimal,
  decodeDecimal,
  encodeDecimal,
  parseDecimal,
  type DecimalFormatErrorKind,
} from "./decimal.ts";
import { compareBytes } from "./tuple.ts";
import { oracleCanonical, oracleCompare, oracleParse } from "./testing/decimal-oracle.ts";


const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

// ---- Generators: a value (sign, significant digits, scientific exponent) rendered in one
// of the many spellings DynamoDB accepts for it.

interface Value {
  sign: -1 | 0 | 1;
  digits: string;
  exponent: number;
}

const significantDigits = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[1-9]([0-9]{0,36}[1-9])?$/) },
  // Few distinct mantissas, so equal values and shared prefixes come up often.
  {
    weight: 3,
    arbitrary: fc.constantFrom("1", "15", "5", "105", "11", "101", "2", "99", "9".repeat(38), "1" + "0".repeat(36) + "1"),
  },
);

const exponentArb = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -130, max: 125 }) },
  { weight: 3, arbitrary: fc.integer({ min: -3, max: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(-130, -129, 124, 125) },
);

const nonZeroValue: fc.Arbitrary<Value> = fc.record({
  sign: fc.constantFrom<-1 | 1>(-1, 1),
  digits: significantDigits,
  exponent: exponentArb,
});

const zeroValue: fc.Arbitrary<Value> = fc.constant({ sign: 0, digits: "", exponent: 0 });

const valueArb = fc.oneof({ weight: 12, arbitrary: nonZeroValue }, { weight: 1, arbitrary: zeroValue });

interface Spelling {
  leadingZeros: number;
  trailingZeros: number;
  dot: number; // where the point goes (mod mantissa length + 1); -1: no point
  forceExponent: boolean;
  upperE: boolean;
  plusExponent: boolean;
  plusSign: boolean;
}

const spellingArb: fc.Arbitrary<Spelling> = fc.record({
  leadingZeros: fc.integer({ min: 0, max: 3 }),
  trailingZeros: fc.integer({ min: 0, max: 3 }),
  dot: fc.oneof(fc.constant(-1), fc.nat({ max: 80 })),
  forceExponent: fc.boolean(),
  upperE: fc.boolean(),
  plusExponent: fc.boolean(),
  plusSign: fc.boolean(),
});

function render(v: Value, s: Spelling): string {
  const digits = v.sign === 0 ? "0" : v.digits;
  const mantissa = "0".repeat(s.leadingZeros) + digits + "0".repeat(s.trailingZeros);
  const len = mantissa.length;
  const p = s.dot < 0 ? len : s.dot % (len + 1);
  // value = int(mantissa) x 10^(p - len) x 10^x, int(mantissa) = d1.d2... x 10^(nd - 1 + tz)
  const x = v.sign === 0 ? (s.forceExponent ? 1000 : 0) : v.exponent - (digits.length - 1 + s.trailingZeros + p - len);
  let text = p === len ? mantissa : mantissa.slice(0, p) + "." + mantissa.slice(p);
  if (x !== 0 || s.forceExponent) {
    text += (s.upperE ? "E" : "e") + (x < 0 ? "-" : s.plusExponent ? "+" : "") + Math.abs(x);
  }
  if (v.sign < 0) return "-" + text;
  if (v.sign === 0 && s.plusSign && s.upperE) return "-" + text; // "-0" is zero too
  return s.plusSign ? "+" + text : text;
}

const spelled = fc.tuple(valueArb, spellingArb).map(([v, s]) => ({ value: v, text: render(v, s) }));

const RUNS = 20_000;

describe("parseDecimal", () => {
  it.each([
    ["0", 0, "", 0],
    ["-0", 0, "", 0],
    ["+0", 0, "", 0],
    ["0e1000", 0, "", 0],
    [".0", 0, "", 0],
    ["1", 1, "1", 0],
    ["+3", 1, "3", 0],
    ["-7.1234", -1, "71234", 0],
    ["-17e5", -1, "17", 6],
    ["-17.4E37", -1, "174", 38],
    [".123", 1, "123", -1],
    ["0001.23", 1, "123", 0],
    ["1e+5", 1, "1", 5],
    ["100", 1, "1", 2],
    ["0.00100", 1, "1", -3],
    ["120.0340", 1, "120034", 2],
    ["1E-130", 1, "1", -130],
    ["9.9999999999999999999999999999999999999E+125", 1, "9".repeat(38), 125],
    ["0.0000001e-123", 1, "1", -130],
    ["100000e120", 1, "1", 125],
  ])("%s", (text, s, digits, exponent) => {
    expect(parseDecimal(text)).toEqual({ sign: s, digits, exponent });
  });

  it("matches the generated value for every spelling", () => {
    fc.assert(
      fc.property(spelled, ({ value, text }) => {
        expect(parseDecimal(text)).toEqual(value);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("invalid numbers", () => {
  const cases: [string, DecimalFormatErrorKind][] = [
    ["", "syntax"],
    ["abc", "syntax"],
    ["dog", "syntax"],
    ["-dog", "syntax"],
    ["NaN", "syntax"],
    ["-NaN", "syntax"],
    ["Infinity", "syntax"],
    ["-Infinity", "syntax"],
    ["1e", "syntax"],
    ["1e+", "syntax"],
    ["1e-", "syntax"],
    ["e5", "syntax"],
    ["--1", "syntax"],
    ["+-1", "syntax"],
    ["++1", "syntax"],
    ["-", "syntax"],
    ["+", "syntax"],
    [".", "syntax"],
    ["-.", "syntax"],
    [".e1", "syntax"],
    ["1.", "syntax"], // strict: unverified against DynamoDB, see decimal.ts
    ["1.2.3", "syntax"],
    ["1+2", "syntax"],
    ["1e2e3", "syntax"],
    ["1e2.5", "syntax"],
    [" 1", "syntax"],
    ["1 ", "syntax"],
    ["1_000", "syntax"],
    ["0x10", "syntax"],
    ["１", "syntax"], // fullwidth digit
    ["1e1000", "overflow"],
    ["1e126", "overflow"],
    ["11e125", "overflow"],
    ["-1e126", "overflow"],
    ["10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", "overflow"],
    ["1e99999999999999999999999999", "overflow"],
    ["1e-131", "underflow"],
    ["0.9e-130", "underflow"],
    ["-1e-131", "underflow"],
    ["1e-99999999999999999999999999", "underflow"],
    ["3.14159265358979323846264338327950288419", "precision"],
    ["314159265358979323846.264338327950288419", "precision"],
    ["314159265358979323846264338327950288419e30", "precision"],
    ["-1.00000000000000000000000000000000000001", "precision"],
  ];
  it.each(cases)("%j is %s", (text, kind) => {
    let caught: unknown;
    try {
      parseDecimal(text);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DecimalFormatError);
    expect((caught as DecimalFormatError).kind).toBe(kind);
    expect(() => encodeDecimal(text)).toThrow(DecimalFormatError);
    expect(() => canonicalDecimal(text)).toThrow(DecimalFormatError);
    expect(() => compareDecimal(text, "1")).toThrow(DecimalFormatError);
  });

  it("accepts the extremes and 38 digits with zeros around them", () => {
    for (const t of [
      "1e-130",
      "-1e-130",
      "9.9999999999999999999999999999999999999e125",
      "-9.9999999999999999999999999999999999999e125",
      "3.1415926535897932384626433832795028841",
      "314159265358979323846.26433832795028841",
      "31415926535897932384626433832795028841e30",
      "000" + "1".repeat(38) + "000.000",
      "1" + "0".repeat(125),
      "0." + "0".repeat(129) + "1",
    ]) {
      expect(() => encodeDecimal(t), t).not.toThrow();
    }
  });
});

describe("canonicalDecimal", () => {
  it.each([
    ["1.0", "1"],
    ["-0", "0"],
    ["+0", "0"],
    ["0e1000", "0"],
    ["-0.000e-5", "0"],
    ["1e2", "100"],
    ["1E+2", "100"],
    ["+1e2", "100"],
    ["1.5E+3", "1500"],
    ["0.10", "0.1"],
    ["00042", "42"],
    ["1.200", "1.2"],
    ["-7.1234", "-7.1234"],
    [".123", "0.123"],
    ["0001.23", "1.23"],
    ["-17e5", "-1700000"],
    ["1e-3", "0.001"],
    ["123.456e1", "1234.56"],
    ["123.456e-1", "12.3456"],
    ["123.456e3", "123456"],
    ["1e-130", "0." + "0".repeat(129) + "1"],
    ["9.9999999999999999999999999999999999999e125", "9".repeat(38) + "0".repeat(88)],
  ])("%s -> %s", (text, canonical) => {
    expect(canonicalDecimal(text)).toBe(canonical);
  });

  it("agrees with the BigInt oracle and is a fixed point", () => {
    fc.assert(
      fc.property(spelled, ({ text }) => {
        const c = canonicalDecimal(text);
        expect(c).toBe(oracleCanonical(oracleParse(text)));
        expect(canonicalDecimal(c)).toBe(c);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("compareDecimal", () => {
  it.each([
    ["-1.5", "-1", -1],
    ["-15", "-1.5", -1],
    ["-15", "-1", -1],
    ["-1", "-0.5", -1],
    ["-0.5", "0", -1],
    ["1", "1.0", 0],
    ["1", "10", -1],
    ["1.0", "10", -1],
    ["0.001", "0.01", -1],
    ["-0.01", "-0.001", -1],
    ["-0", "0", 0],
    ["1e2", "100", 0],
    ["99", "100", -1],
    ["0.99", "1", -1],
    ["1", "1.0000000000000000000000000000000000001", -1],
    ["-1.0000000000000000000000000000000000001", "-1", -1],
    ["1e-130", "0", 1],
    ["-1e-130", "0", -1],
    ["9.9999999999999999999999999999999999999e125", "1e125", 1],
    ["-9.9999999999999999999999999999999999999e125", "-1e125", -1],
    ["2", "15", -1],
    ["105", "15", 1],
    ["0.105", "0.15", -1],
  ])("%s vs %s is %i", (a, b, expected) => {
    expect(compareDecimal(a, b)).toBe(expected);
    expect(compareDecimal(b, a)).toBe(-expected || 0);
  });

  it("agrees with the BigInt oracle", () => {
    fc.assert(
      fc.property(spelled, spelled, (a, b) => {
        expect(compareDecimal(a.text, b.text)).toBe(oracleCompare(oracleParse(a.text), oracleParse(b.text)));
      }),
      { numRuns: RUNS },
    );
  });
});

describe("encodeDecimal", () => {
  it("orders the tricky cases", () => {
    const ascending = [
      "-9.9999999999999999999999999999999999999e125",
      "-1e125",
      "-100",
      "-15",
      "-10",
      "-1.5",
      "-1.05",
      "-1.0000000000000000000000000000000000001",
      "-1",
      "-0.15",
      "-0.105",
      "-0.1",
      "-0.01",
      "-0.001",
      "-1e-130",
      "0",
      "1e-130",
      "0.001",
      "0.01",
      "0.1",
      "0.105",
      "0.15",
      "1",
      "1.0000000000000000000000000000000000001",
      "1.05",
      "1.5",
      "10",
      "15",
      "100",
      "1e125",
      "9.9999999999999999999999999999999999999e125",
    ];
    const encoded = ascending.map(encodeDecimal);
    for (let i = 0; i + 1 < encoded.length; i++) {
      expect(compareBytes(encoded[i]!, encoded[i + 1]!), `${ascending[i]} < ${ascending[i + 1]}`).toBe(-1);
    }
  });

  it("gives equal values identical bytes", () => {
    const groups = [
      ["1", "1.0", "+1", "1e0", "0.1e1", "10e-1", "001.000", "1E+0", ".1E1"],
      ["0", "-0", "+0", "0.0", "0e5", "-0e-5", ".0", "000"],
      ["100", "1e2", "1E2", "1e+2", "10e1", "0.001e5", "100.00"],
      ["-1.5", "-15e-1", "-0.15e1", "-1.50"],
      ["0.1", "0.10", "1e-1", ".1", "0.01e1"],
    ];
    for (const g of groups) {
      const first = encodeDecimal(g[0]!);
      for (const t of g) expect(encodeDecimal(t), t).toEqual(first);
    }
  });

  it("documents the byte layout", () => {
    expect([...encodeDecimal("0")]).toEqual([0x02]);
    // 1 = 1 x 10^0: exponent byte 130, digits "1" padded to pair 10, stored as 11.
    expect([...encodeDecimal("1")]).toEqual([0x03, 130, 11, 0x00]);
    expect([...encodeDecimal("-1")]).toEqual([0x01, 255 - 130, 255 - 11, 0xff]);
    expect([...encodeDecimal("123")]).toEqual([0x03, 132, 13, 31, 0x00]);
    expect([...encodeDecimal("1e-130")]).toEqual([0x03, 0, 11, 0x00]);
    expect([...encodeDecimal("9.9999999999999999999999999999999999999e125")]).toEqual([
      0x03,
      255,
      ...Array<number>(19).fill(100),
      0x00,
    ]);
    expect(encodeDecimal("-" + "1".repeat(38)).length).toBe(MAX_ENCODED_DECIMAL_LENGTH);
  });

  it("byte order equals exact value order", () => {
    fc.assert(
      fc.property(spelled, spelled, (a, b) => {
        const expected = oracleCompare(oracleParse(a.text), oracleParse(b.text));
        expect(sign(compareBytes(encodeDecimal(a.text), encodeDecimal(b.text)))).toBe(expected);
        expect(compareDecimal(a.text, b.text)).toBe(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it("sorting by bytes sorts by value", () => {
    fc.assert(
      fc.property(fc.array(spelled, { minLength: 2, maxLength: 30 }), (xs) => {
        const byBytes = xs
          .map((x) => ({ x, b: encodeDecimal(x.text) }))
          .sort((p, q) => compareBytes(p.b, q.b))
          .map((p) => oracleParse(p.x.text));
        for (let i = 0; i + 1 < byBytes.length; i++) {
          expect(oracleCompare(byBytes[i]!, byBytes[i + 1]!)).toBeLessThanOrEqual(0);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it("is prefix-free: no encoding is a proper prefix of another", () => {
    fc.assert(
      fc.property(spelled, spelled, (a, b) => {
        const x = encodeDecimal(a.text);
        const y = encodeDecimal(b.text);
        if (x.length < y.length) expect(compareBytes(x, y.subarray(0, x.length))).not.toBe(0);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("decodeDecimal", () => {
  it("round trips to the canonical text", () => {
    fc.assert(
      fc.property(spelled, ({ text }) => {
        expect(decodeDecimal(encodeDecimal(text))).toBe(canonicalDecimal(text));
      }),
      { numRuns: RUNS },
    );
  });

  it.each([
    ["empty", []],
    ["bad sign byte", [0x04]],
    ["zero with trailing bytes", [0x02, 0x00]],
    ["truncated exponent", [0x03]],
    ["unterminated", [0x03, 130, 11]],
    ["no digits", [0x03, 130, 0x00]],
    ["leading zero digit", [0x03, 130, 1 + 5, 0x00]],
    ["trailing zero pair", [0x03, 130, 11, 1, 0x00]],
    ["digit byte above 100", [0x03, 130, 101, 0x00]],
    ["20 digit pairs", [0x03, 130, ...Array<number>(20).fill(12), 0x00]],
    ["negative with positive terminator", [0x01, 125, 244, 0x00]],
  ])("rejects %s", (_name, bytes) => {
    expect(() => decodeDecimal(Uint8Array.from(bytes))).toThrow(KeyDecodeError);
  });

  it("accepts exactly the canonical encodings (random and mutated bytes)", () => {
    const mutated = fc
      .tuple(spelled, fc.nat(), fc.nat({ max: 255 }), fc.constantFrom("set", "cut", "insert"))
      .map(([s, at, v, how]) => {
        const b = [...encodeDecimal(s.text)];
        const i = at % (b.length + 1);
        if (how === "set" && i < b.length) b[i] = v;
        else if (how === "cut") b.length = i;
        else b.splice(i, 0, v);
        return Uint8Array.from(b);
      });
    const bytesArb = fc.oneof(mutated, fc.uint8Array({ maxLength: 24 }));
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        let text: string;
        try {
          text = decodeDecimal(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(KeyDecodeError);
          return;
        }
        expect(encodeDecimal(text)).toEqual(bytes);
      }),
      { numRuns: RUNS },
    );
  });
});
