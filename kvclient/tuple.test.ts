import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DecimalFormatError } from "./decimal.ts";
import {
  DecimalKey,
  KeyDecodeError,
  LoneSurrogateError,
  compareBytes,
  decodeTuple,
  encodeTuple,
  prefixEnd,
  tupleRange,
  type TupleElement,
} from "./tuple.ts";
import { oracleCanonical, oracleCompare, oracleParse } from "./testing/decimal-oracle.ts";

// ---- Reference order, written independently of the encoding: type rank, then the
// type's own order; tuples element by element, a prefix first.

function rank(e: TupleElement): number {
  if (e instanceof Uint8Array) return 0;
  if (typeof e === "string") return 1;
  if (typeof e === "number" || typeof e === "bigint") return 2;
  return 3;
}

function cmp<T>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Code point order, which is UTF-8 byte order. */
function compareStrings(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return cmp(x[i], y[i]);
  }
  return cmp(x.length, y.length);
}

function compareRawBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return cmp(a[i]!, b[i]!);
  }
  return cmp(a.length, b.length);
}

function compareElements(a: TupleElement, b: TupleElement): number {
  const r = cmp(rank(a), rank(b));
  if (r !== 0) return r;
  if (a instanceof Uint8Array) return compareRawBytes(a, b as Uint8Array);
  if (typeof a === "string") return compareStrings(a, b as string);
  if (typeof a === "number" || typeof a === "bigint") return cmp(BigInt(a), BigInt(b as number | bigint));
  return oracleCompare(oracleParse((a as DecimalKey).text), oracleParse((b as DecimalKey).text));
}

function compareTuples(a: readonly TupleElement[], b: readonly TupleElement[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareElements(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return cmp(a.length, b.length);
}

function isTuplePrefix(prefix: readonly TupleElement[], t: readonly TupleElement[]): boolean {
  return prefix.length <= t.length && prefix.every((e, i) => compareElements(e, t[i]!) === 0);
}

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

// ---- Generators, biased toward the bytes that escaping and terminators care about and
// toward shared prefixes.

const trickyChars = fc.constantFrom("\u0000", "\u0001", "\u007f", "\u0080", "\u00ff", "\uffff", "\u{10000}", "\u{10ffff}", "a", "b", "é", "\ufeff");
const stringArb = fc.oneof(
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.string({ unit: trickyChars, maxLength: 6 }),
  // Around the decoder's short-ASCII fast path limit (24 bytes), both sides of it.
  fc.string({ unit: "binary-ascii", minLength: 20, maxLength: 30 }),
  fc.string({ unit: "binary", minLength: 10, maxLength: 30 }),
  fc.constantFrom("", "a", "a\u0000", "a\u0000\u0000", "a\u0001", "ab"),
);
const bytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 8 }),
  fc.array(fc.constantFrom(0x00, 0x01, 0xfe, 0xff), { maxLength: 6 }).map((a) => Uint8Array.from(a)),
);
const uintArb: fc.Arbitrary<TupleElement> = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  fc.maxSafeNat(),
  fc.nat({ max: 300 }),
  fc.constantFrom(0, 255, 256, 65535, 65536, 2 ** 53 - 1, 2n ** 53n, 2n ** 56n - 1n, 2n ** 56n, 2n ** 64n - 1n),
);
const decimalTextArb = fc.oneof(
  fc
    .tuple(
      fc.constantFrom("", "-"),
      fc.stringMatching(/^[1-9]([0-9]{0,36}[1-9])?$/),
      fc.integer({ min: -130, max: 125 }),
    )
    .map(([s, d, e]) => `${s}${d[0]}.${d.slice(1) || "0"}e${e}`),
  fc.constantFrom("0", "-0", "1", "1.0", "10", "-1", "-1.5", "-15", "0.001", "0.01", "1e2", "100", "1e-130", "-1e-130"),
);
const elementArb: fc.Arbitrary<TupleElement> = fc.oneof(
  stringArb,
  bytesArb,
  uintArb,
  decimalTextArb.map((t) => new DecimalKey(t)),
);
const tupleArb = fc.array(elementArb, { maxLength: 5 });
/** Two tuples sharing a random prefix, so comparisons reach deep elements. */
const tuplePair = fc
  .tuple(fc.array(elementArb, { maxLength: 3 }), tupleArb, tupleArb)
  .map(([common, x, y]) => [[...common, ...x], [...common, ...y]] as const);

/** What decodeTuple returns for an element. */
function normalized(e: TupleElement): unknown {
  if (typeof e === "number") return BigInt(e);
  if (e instanceof DecimalKey) return new DecimalKey(oracleCanonical(oracleParse(e.text)));
  if (e instanceof Uint8Array) return Uint8Array.from(e);
  return e;
}


const RUNS = 10_000;

describe("encodeTuple order", () => {
  it("matches the reference comparator", () => {
    fc.assert(
      fc.property(tuplePair, ([a, b]) => {
        expect(sign(compareBytes(encodeTuple(a), encodeTuple(b)))).toBe(compareTuples(a, b));
      }),
      { numRuns: RUNS },
    );
  });

  it("sorting by bytes sorts by the reference order", () => {
    fc.assert(
      fc.property(fc.array(tupleArb, { minLength: 2, maxLength: 20 }), (ts) => {
        const sorted = ts
          .map((t) => ({ t, b: encodeTuple(t) }))
          .sort((x, y) => compareBytes(x.b, y.b));
        for (let i = 0; i + 1 < sorted.length; i++) {
          expect(compareTuples(sorted[i]!.t, sorted[i + 1]!.t)).toBeLessThanOrEqual(0);
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it("orders strings by UTF-8 bytes, with embedded NUL and high code points", () => {
    const ascending = [
      "",
      "\u0000",
      "\u0000\u0000",
      "\u0000\u0001",
      "\u0001",
      "a",
      "a\u0000",
      "a\u0000\u0000",
      "a\u0000b",
      "a\u0001",
      "ab",
      "b",
      "\u007f",
      "\u0080",
      "é",
      "\u00ff",
      "\u07ff",
      "\u0800",
      "\ud7ff",
      "\ue000", // above every surrogate pair in UTF-16 order, below them in UTF-8
      "\ufeff",
      "\uffff",
      "\u{10000}",
      "\u{10ffff}",
    ];
    checkAscending(ascending.map((s) => [s]));
    checkAscending(ascending.map((s) => [s, 0]));
    checkAscending(ascending.map((s) => [s, ""]));
  });

  it("orders bytes unsigned, with embedded 0x00 and 0xFF", () => {
    const ascending = [[], [0x00], [0x00, 0x00], [0x00, 0xff], [0x01], [0x7f], [0x80], [0xfe], [0xff], [0xff, 0x00], [0xff, 0xff]];
    checkAscending(ascending.map((b) => [Uint8Array.from(b)]));
    checkAscending(ascending.map((b) => [Uint8Array.from(b), Uint8Array.from([0xff])]));
    checkAscending(ascending.map((b) => [Uint8Array.from(b), "z"]));
  });

  it("orders unsigned integers numerically across byte-length boundaries", () => {
    const ascending: TupleElement[] = [0, 1, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2n ** 53n, 2n ** 56n - 1n, 2n ** 56n, 2n ** 64n - 1n];
    checkAscending(ascending.map((n) => [n]));
    checkAscending(ascending.map((n) => [n, "x"]));
  });

  it("orders DynamoDB decimals by exact value inside tuples", () => {
    const ascending = ["-15", "-1.5", "-1", "-0.01", "-0.001", "0", "0.001", "0.01", "1", "1.5", "10", "15"];
    checkAscending(ascending.map((d) => [new DecimalKey(d)]));
    checkAscending(ascending.map((d) => ["pk", new DecimalKey(d), "sk"]));
  });

  it("puts a tuple before its extensions", () => {
    checkAscending([[], ["a"], ["a", ""], ["a", "", 0], ["a", "\u0000"], ["a", 0], ["a", new DecimalKey("-1")], ["a\u0000"]]);
  });

  it("orders types by tag: bytes < string < unsigned int < decimal", () => {
    checkAscending([[Uint8Array.from([0xff, 0xff])], ["\u{10ffff}"], [0], [2n ** 64n - 1n], [new DecimalKey("-9e125")]]);
  });

  it("encodes equal values identically", () => {
    expect(encodeTuple([5])).toEqual(encodeTuple([5n]));
    expect(encodeTuple([-0])).toEqual(encodeTuple([0n]));
    expect(encodeTuple([new DecimalKey("1.0")])).toEqual(encodeTuple([new DecimalKey("1")]));
    expect(encodeTuple([new DecimalKey("-0")])).toEqual(encodeTuple([new DecimalKey("0e5")]));
    expect(encodeTuple([new DecimalKey("1e2")])).toEqual(encodeTuple([new DecimalKey("100")]));
    expect(encodeTuple([Buffer.from("ab")])).toEqual(encodeTuple([Uint8Array.from([0x61, 0x62])]));
  });

  it("documents the byte layout (FoundationDB-compatible for bytes, strings, ints)", () => {
    expect([...encodeTuple(["a\u0000b"])]).toEqual([0x02, 0x61, 0x00, 0xff, 0x62, 0x00]);
    expect([...encodeTuple([Uint8Array.from([0, 0xff])])]).toEqual([0x01, 0x00, 0xff, 0xff, 0x00]);
    expect([...encodeTuple([0])]).toEqual([0x14]);
    expect([...encodeTuple([1])]).toEqual([0x15, 0x01]);
    expect([...encodeTuple([256])]).toEqual([0x16, 0x01, 0x00]);
    expect([...encodeTuple([2 ** 53 - 1])]).toEqual([0x1b, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect([...encodeTuple([2n ** 64n - 1n])]).toEqual([0x1c, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect([...encodeTuple([0x0102030405060708n])]).toEqual([0x1c, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...encodeTuple([new DecimalKey("1")])]).toEqual([0x40, 0x03, 130, 11, 0x00]);
    expect([...encodeTuple(["é"])]).toEqual([0x02, 0xc3, 0xa9, 0x00]);
    expect([...encodeTuple(["\u{1f600}"])]).toEqual([0x02, 0xf0, 0x9f, 0x98, 0x80, 0x00]);
    expect(encodeTuple([]).length).toBe(0);
  });

  it("encodes strings exactly as UTF-8", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
        const utf8 = Buffer.from(s, "utf8");
        const escaped: number[] = [0x02];
        for (const b of utf8) escaped.push(...(b === 0 ? [0, 0xff] : [b]));
        escaped.push(0);
        expect([...encodeTuple([s])]).toEqual(escaped);
      }),
      { numRuns: RUNS },
    );
  });

  it("handles long elements (scratch buffer growth) and stays correct afterwards", () => {
    const long = "x\u0000é".repeat(50_000);
    const bytes = new Uint8Array(200_000).fill(0);
    const t = [long, bytes, long];
    const decoded = decodeTuple(encodeTuple(t));
    expect(decoded[0]).toBe(long);
    expect(decoded[1]).toEqual(bytes);
    expect(decoded[2]).toBe(long);
    expect([...encodeTuple(["a", 1])]).toEqual([0x02, 0x61, 0x00, 0x15, 0x01]);
  });
});

function checkAscending(tuples: TupleElement[][]): void {
  const encoded = tuples.map(encodeTuple);
  for (let i = 0; i + 1 < encoded.length; i++) {
    expect(compareBytes(encoded[i]!, encoded[i + 1]!), `${i}: ${String(tuples[i])} < ${String(tuples[i + 1])}`).toBe(-1);
    expect(compareTuples(tuples[i]!, tuples[i + 1]!), "reference comparator agrees").toBe(-1);
  }
}

describe("encodeTuple rejects", () => {
  it.each([
    ["a negative number", -1],
    ["a fraction", 1.5],
    ["NaN", NaN],
    ["Infinity", Infinity],
    ["2^53", 2 ** 53],
    ["a negative bigint", -1n],
    ["2^64", 2n ** 64n],
  ])("%s with RangeError", (_name, v) => {
    expect(() => encodeTuple([v])).toThrow(RangeError);
  });

  it.each([
    ["lone high surrogate", "a\ud800"],
    ["lone high surrogate before a char", "\ud800a"],
    ["lone low surrogate", "\udc00"],
    ["reversed pair", "\udc00\ud800"],
  ])("a %s with LoneSurrogateError", (_name, s) => {
    expect(() => encodeTuple([s])).toThrow(LoneSurrogateError);
  });

  it("invalid DecimalKey text with DecimalFormatError", () => {
    for (const t of ["abc", "", "1e", "--1", "1e126", "1e-131", "1".repeat(39)]) {
      expect(() => encodeTuple(["pk", new DecimalKey(t)]), t).toThrow(DecimalFormatError);
    }
  });

  it("other element types with TypeError", () => {
    for (const v of [true, null, undefined, {}, [1], new Uint16Array(2).buffer, Symbol("x")]) {
      expect(() => encodeTuple([v as unknown as TupleElement])).toThrow(TypeError);
    }
  });
});

describe("decodeTuple", () => {
  it("round trips (numbers become bigint, decimals canonical)", () => {
    fc.assert(
      fc.property(tupleArb, (t) => {
        expect(decodeTuple(encodeTuple(t))).toEqual(t.map(normalized));
      }),
      { numRuns: RUNS },
    );
  });

  it("decodes bytes as a copy, not a view of the key", () => {
    const key = encodeTuple([Uint8Array.from([1, 2])]);
    const [b] = decodeTuple(key) as [Uint8Array];
    b[0] = 9;
    expect(key[1]).toBe(1);
  });

  it("keeps a leading U+FEFF", () => {
    expect(decodeTuple(encodeTuple(["\ufeffx"]))).toEqual(["\ufeffx"]);
  });

  it.each([
    ["unknown tag", [0x03]],
    ["tag 0xff", [0xff]],
    ["unterminated string", [0x02, 0x61]],
    ["escape at end", [0x02, 0x61, 0x00, 0xff]],
    ["invalid UTF-8", [0x02, 0xc3, 0x00]],
    ["overlong UTF-8", [0x02, 0xc0, 0x80, 0x00]],
    ["UTF-8 surrogate", [0x02, 0xed, 0xa0, 0x80, 0x00]],
    ["truncated int", [0x16, 0x01]],
    ["int with leading zero byte", [0x16, 0x00, 0x01]],
    ["truncated decimal", [0x40, 0x03, 130]],
  ])("rejects %s with KeyDecodeError", (_name, bytes) => {
    expect(() => decodeTuple(Uint8Array.from(bytes))).toThrow(KeyDecodeError);
  });

  it("accepts exactly the canonical encodings (mutated keys decode to themselves or throw)", () => {
    const mutated = fc
      .tuple(tupleArb, fc.nat(), fc.nat({ max: 255 }), fc.constantFrom("set", "cut", "insert"))
      .map(([t, at, v, how]) => {
        const b = [...encodeTuple(t)];
        const i = at % (b.length + 1);
        if (how === "set" && i < b.length) b[i] = v;
        else if (how === "cut") b.length = i;
        else b.splice(i, 0, v);
        return Uint8Array.from(b);
      });
    fc.assert(
      fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 16 })), (bytes) => {
        let t: TupleElement[];
        try {
          t = decodeTuple(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(KeyDecodeError);
          return;
        }
        expect(encodeTuple(t)).toEqual(bytes);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("tupleRange", () => {
  function inRange(r: { start: Uint8Array; end: Uint8Array }, key: Uint8Array): boolean {
    return compareBytes(r.start, key) <= 0 && compareBytes(key, r.end) < 0;
  }

  it("contains exactly the tuples with that prefix", () => {
    // Keys are built around the prefix so that most are extensions or near misses.
    const case_ = fc
      .tuple(fc.array(elementArb, { maxLength: 3 }), tupleArb, tupleArb, fc.nat({ max: 3 }))
      .map(([prefix, tail, other, keep]) => ({
        prefix,
        key: [...prefix.slice(0, keep), ...(keep >= prefix.length ? tail : other)],
      }));
    fc.assert(
      fc.property(case_, ({ prefix, key }) => {
        expect(inRange(tupleRange(prefix), encodeTuple(key))).toBe(isTuplePrefix(prefix, key));
      }),
      { numRuns: RUNS },
    );
  });

  it("includes the prefix itself and its extensions, excludes neighbours", () => {
    const r = tupleRange(["t", 1]);
    expect(inRange(r, encodeTuple(["t", 1]))).toBe(true);
    expect(inRange(r, encodeTuple(["t", 1, ""]))).toBe(true);
    expect(inRange(r, encodeTuple(["t", 1, Uint8Array.from([0xff, 0xff])]))).toBe(true);
    expect(inRange(r, encodeTuple(["t", 1, new DecimalKey("9e125")]))).toBe(true);
    expect(inRange(r, encodeTuple(["t", 0, "z"]))).toBe(false);
    expect(inRange(r, encodeTuple(["t", 2]))).toBe(false);
    expect(inRange(r, encodeTuple(["t"]))).toBe(false);
    expect(inRange(r, encodeTuple(["t\u0000", 1]))).toBe(false);
    // A string prefix is an element, not a string prefix: "ab" does not start with "a".
    expect(inRange(tupleRange(["a"]), encodeTuple(["ab"]))).toBe(false);
    expect(inRange(tupleRange(["a"]), encodeTuple(["a\u0000"]))).toBe(false);
  });

  it("of the empty prefix covers every tuple", () => {
    const r = tupleRange([]);
    fc.assert(
      fc.property(tupleArb, (t) => {
        expect(inRange(r, encodeTuple(t))).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe("string-prefix scans (stem = enc([...p, text]) minus its terminator)", () => {
  it("cover exactly the tuples whose next string starts with the text", () => {
    const text = fc.oneof(stringArb, fc.constantFrom("", "a", "a\u0000", "é"));
    const candidate = fc.oneof(stringArb, text.chain((t) => stringArb.map((x) => t + x)));
    fc.assert(
      fc.property(fc.array(elementArb, { maxLength: 2 }), text, candidate, tupleArb, (p, t, x, rest) => {
        const full = encodeTuple([...p, t]);
        const stem = full.subarray(0, full.length - 1);
        const key = encodeTuple([...p, x, ...rest]);
        const inside = compareBytes(stem, key) <= 0 && compareBytes(key, prefixEnd(stem)) < 0;
        expect(inside).toBe(x.startsWith(t));
      }),
      { numRuns: RUNS },
    );
  });
});

describe("prefixEnd", () => {
  it.each([
    [[0x01], [0x02]],
    [[0x01, 0xff], [0x02]],
    [[0x01, 0x02, 0xff, 0xff], [0x01, 0x03]],
    [[0x00], [0x01]],
    [[0xfe, 0xff], [0xff]],
  ])("%j -> %j", (input, expected) => {
    const bytes = Uint8Array.from(input);
    expect([...prefixEnd(bytes)]).toEqual(expected);
    expect([...bytes]).toEqual(input);
  });

  it.each([[[]], [[0xff]], [[0xff, 0xff]]])("throws RangeError for %j", (input) => {
    expect(() => prefixEnd(Uint8Array.from(input))).toThrow(RangeError);
  });

  it("bounds exactly the keys that start with the prefix", () => {
    const near = fc.array(fc.constantFrom(0x00, 0x01, 0x7f, 0xfe, 0xff), { maxLength: 5 }).map((a) => Uint8Array.from(a));
    fc.assert(
      fc.property(near.filter((p) => p.some((b) => b !== 0xff)), near, (p, x) => {
        const end = prefixEnd(p);
        const starts = x.length >= p.length && compareBytes(x.subarray(0, p.length), p) === 0;
        expect(compareBytes(p, x) <= 0 && compareBytes(x, end) < 0).toBe(starts);
        expect(compareBytes(end, p)).toBe(1);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("compareBytes", () => {
  it("is unsigned lexicographic order", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 6, max: 3 }), fc.uint8Array({ maxLength: 6, max: 3 }), (a, b) => {
        expect(compareBytes(a, b)).toBe(sign(Buffer.compare(a, b)));
      }),
      { numRuns: RUNS },
    );
    expect(compareBytes(Uint8Array.from([0x80]), Uint8Array.from([0x7f]))).toBe(1);
  });
});
