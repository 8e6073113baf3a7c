// DynamoDB numbers as exact decimals: a sign, a coefficient without trailing zeros and a
// power of ten. Never floats: 38 significant digits do not fit in a double.

export interface Dec {
  /** -1, 0 or 1; zero has coef 0n and exp 0. */
  sign: -1 | 0 | 1;
  coef: bigint;
  exp: number;
}

const NUMBER_RE = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:e([+-]?\d+))?$/i;

export class NumberFormatError extends Error {}

/** Parse the text DynamoDB accepts for N; throws NumberFormatError with AWS's message. */
export function parseDec(text: string): Dec {
  const m = NUMBER_RE.exec(text.trim() === text ? text : "");
  if (!m) throw new NumberFormatError(`The parameter cannot be converted to a numeric value: ${text}`);
  const [, signText, body, expText] = m;
  const dot = body!.indexOf(".");
  const intPart = dot < 0 ? body! : body!.slice(0, dot);
  const fracPart = dot < 0 ? "" : body!.slice(dot + 1);
  let digits = (intPart + fracPart).replace(/^0+/, "");
  let exp = (expText ? parseInt(expText, 10) : 0) - fracPart.length;
  if (digits === "") return { sign: 0, coef: 0n, exp: 0 };
  const stripped = digits.replace(/0+$/, "");
  exp += digits.length - stripped.length;
  digits = stripped;
  return { sign: signText === "-" ? -1 : 1, coef: BigInt(digits), exp };
}

export function digitCount(d: Dec): number {
  return d.sign === 0 ? 0 : d.coef.toString().length;
}

/** AWS's checks on a parsed number: precision and magnitude. Undefined when fine. */
export function numberRangeError(d: Dec): string | undefined {
  if (d.sign === 0) return undefined;
  const n = digitCount(d);
  const magnitude = d.exp + n - 1;
  if (magnitude > 125) return "Number overflow. Attempting to store a number with magnitude larger than supported range";
  if (magnitude < -130) return "Number underflow. Attempting to store a number with magnitude smaller than supported range";
  if (n > 38) return "Attempting to store more than 38 significant digits in a Number";
  return undefined;
}

/** Plain (no exponent) canonical text, as DynamoDB returns numbers. */
export function formatDec(d: Dec): string {
  if (d.sign === 0) return "0";
  const digits = d.coef.toString();
  let out: string;
  if (d.exp >= 0) out = digits + "0".repeat(d.exp);
  else {
    const point = digits.length + d.exp;
    out = point > 0 ? `${digits.slice(0, point)}.${digits.slice(point)}` : `0.${"0".repeat(-point)}${digits}`;
  }
  return d.sign < 0 ? `-${out}` : out;
}

export function canonicalNumber(text: string): string {
  return formatDec(parseDec(text));
}

function aligned(a: Dec, b: Dec): [bigint, bigint, number] {
  const exp = Math.min(a.exp, b.exp);
  const av = BigInt(a.sign) * a.coef * 10n ** BigInt(a.exp - exp);
  const bv = BigInt(b.sign) * b.coef * 10n ** BigInt(b.exp - exp);
  return [av, bv, exp];
}

export function compareDec(a: Dec, b: Dec): number {
  if (a.sign !== b.sign) return a.sign < b.sign ? -1 : 1;
  if (a.sign === 0) return 0;
  // Compare magnitudes first so huge exponent gaps never build huge bigints.
  const ma = a.exp + digitCount(a);
  const mb = b.exp + digitCount(b);
  if (ma !== mb) return (ma < mb ? -1 : 1) * a.sign;
  const [av, bv] = aligned(a, b);
  return av < bv ? -1 : av > bv ? 1 : 0;
}

function normalize(value: bigint, exp: number): Dec {
  if (value === 0n) return { sign: 0, coef: 0n, exp: 0 };
  const sign = value < 0n ? -1 : 1;
  let coef = value < 0n ? -value : value;
  while (coef % 10n === 0n) {
    coef /= 10n;
    exp++;
  }
  return { sign, coef, exp };
}

export function addDec(a: Dec, b: Dec): Dec {
  if (a.sign === 0) return b;
  if (b.sign === 0) return a;
  const [av, bv, exp] = aligned(a, b);
  return normalize(av + bv, exp);
}

export function negateDec(a: Dec): Dec {
  return { ...a, sign: (a.sign === 0 ? 0 : -a.sign) as Dec["sign"] };
}
