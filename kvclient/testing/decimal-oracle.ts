// An independent decimal oracle for tests: BigInt arithmetic on coefficient × 10^exponent,
// sharing no code with kvclient/decimal.ts (which works on digit strings and indices).

export interface Exact {
  coef: bigint; // signed
  exp: bigint;
}

export function oracleParse(text: string): Exact {
  const m = /^([+-]?)(\d*)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === "" && m[3] === undefined)) throw new Error(`oracle cannot parse ${text}`);
  const frac = m[3] ?? "";
  let coef = BigInt((m[2] || "0") + frac);
  if (m[1] === "-") coef = -coef;
  return { coef, exp: BigInt(m[4] ?? "0") - BigInt(frac.length) };
}

export function oracleCompare(a: Exact, b: Exact): number {
  const sa = a.coef > 0n ? 1 : a.coef < 0n ? -1 : 0;
  const sb = b.coef > 0n ? 1 : b.coef < 0n ? -1 : 0;
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  const m = a.exp < b.exp ? a.exp : b.exp;
  const x = a.coef * 10n ** (a.exp - m);
  const y = b.coef * 10n ** (b.exp - m);
  return x === y ? 0 : x < y ? -1 : 1;
}

export function oracleCanonical(v: Exact): string {
  let { coef, exp } = v;
  if (coef === 0n) return "0";
  const neg = coef < 0n;
  if (neg) coef = -coef;
  while (coef % 10n === 0n) {
    coef /= 10n;
    exp++;
  }
  let s = coef.toString();
  if (exp >= 0n) s += "0".repeat(Number(exp));
  else {
    const scale = Number(-exp);
    if (s.length <= scale) s = "0".repeat(scale - s.length + 1) + s;
    s = s.slice(0, s.length - scale) + "." + s.slice(s.length - scale);
  }
  return neg ? "-" + s : s;
}
