// DynamoDB numbers: exact parsing, comparison, canonical text, and an order-preserving
// byte encoding.
//
// ACCEPTED TEXT (DynamoDB's grammar as observed against the real service: "+3", ".123",
// "0001.23", "1e+5", "-17.4E37", "0e1000" are accepted; "NaN", "Infinity", " 1", "1 ", "dog"
// are rejected):
//
//     [+-]? ( digits ( "." digits )? | "." digits ) ( [eE] [+-]? digits )?
//
// "1." (a dot with no fraction digits) is REJECTED: Java's BigDecimal, which the service
// most likely uses, would accept it, but we have no capture of the service doing so, and
// no SDK or JSON number printer ever produces it.
//
// RANGE: after leading and trailing zeros are dropped, at most 38 significant digits, and
// a non-zero magnitude in [1e-130, 9.9999999999999999999999999999999999999e125]. Zero is
// always valid, whatever its exponent ("0e1000", "-0").
//
// CANONICAL TEXT is plain notation without an exponent, no "+", no "-0", no leading zeros
// except the single "0" before a point, no trailing fraction zeros and no trailing point:
// "1.0" -> "1", "-0" -> "0", "1e2" -> "100", "0.10" -> "0.1", "1e-3" -> "0.001".
//
// BYTE ENCODING (compare as unsigned bytes; equal values give identical bytes; no
// encoding is a proper prefix of another, so it can sit inside a composite key):
//
//   zero:      0x02
//   positive:  0x03, E, P1 .. Pk, 0x00
//   negative:  0x01, ~E, ~P1 .. ~Pk, 0xFF          (~ is 255 - byte)
//
// where the value is d1.d2...dn x 10^e (d1 and dn non-zero), E = e + 130 (0..255: the
// full DynamoDB exponent range fits one byte exactly), and the digits are packed two per
// byte as Pi = 1 + (10 * d(2i-1) + d(2i)), 1..100, padding an odd count with one 0 digit.
//
// Why it orders: sign classes first; within a sign, a larger exponent means a larger
// magnitude because d1 != 0; at equal exponents the packed digits compare as the decimal
// fractions do, and a mantissa that is a prefix of another is the smaller magnitude because
// the longer one has a non-zero digit further on, which the 0x00 terminator (below every
// digit byte) gets right. Negatives reverse magnitude order by complementing everything
// after the sign byte, terminator included, so the terminator becomes 0xFF, above every
// complemented digit byte: -15 < -1.5 < -1 (the shorter mantissa of -1 ends first, with
// 0xFF, where -1.5 still has a digit byte).

/** A parsed DynamoDB number: value = sign x d1.d2...dn x 10^exponent (scientific notation).
 *  `digits` has no leading or trailing zeros; zero is { sign: 0, digits: "", exponent: 0 }. */
export interface Decimal {
  sign: -1 | 0 | 1;
  digits: string;
  exponent: number;
}

/** Why a text is not a valid DynamoDB number. The DynamoDB adapter maps each kind to the
 *  service's exact ValidationException message. */
export type DecimalFormatErrorKind = "syntax" | "overflow" | "underflow" | "precision";

export class DecimalFormatError extends Error {
  constructor(
    readonly kind: DecimalFormatErrorKind,
    readonly text: string,
  ) {
    super(decimalFormatMessage(kind, text));
    this.name = "DecimalFormatError";
  }
}

/** Bytes that are not an encoding this module produced (corrupt or foreign key data). */
export class KeyDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyDecodeError";
  }
}

export const MAX_DECIMAL_DIGITS = 38;
export const MIN_DECIMAL_EXPONENT = -130;
export const MAX_DECIMAL_EXPONENT = 125;
/** The longest encodeDecimal output: sign, exponent, 19 digit pairs, terminator. */
export const MAX_ENCODED_DECIMAL_LENGTH = 3 + MAX_DECIMAL_DIGITS / 2;

const SIGN_NEGATIVE = 0x01;
const SIGN_ZERO = 0x02;
const SIGN_POSITIVE = 0x03;
const EXPONENT_BIAS = -MIN_DECIMAL_EXPONENT;

const CH_0 = 48;
const CH_9 = 57;
const CH_DOT = 46;
const CH_PLUS = 43;
const CH_MINUS = 45;
const CH_E = 101;
const CH_UPPER_E = 69;

// Exponent digits beyond this are saturated: no string JS can hold has enough leading or
// fraction zeros to bring such an exponent back into range, and the sum stays exact.
const EXPONENT_SATURATION = 1e15;

// Result of the last scan(). Module state rather than an object so the hot path
// (encodeDecimal inside every DynamoDB key) allocates nothing but its output.
let scanSign: -1 | 0 | 1 = 0;
let scanExponent = 0;
let scanFirst = 0; // index in the text of the first significant digit
let scanLast = 0; // index in the text of the last significant digit
let scanDot = -1; // index of ".", or -1
let scanCount = 0; // significant digits

/** Validates `text` and fills the scan* variables; throws DecimalFormatError. */
function scan(text: string): void {
  const len = text.length;
  let i = 0;
  let negative = false;
  if (len === 0) throw new DecimalFormatError("syntax", text);
  let c = text.charCodeAt(0);
  if (c === CH_MINUS || c === CH_PLUS) {
    negative = c === CH_MINUS;
    i = 1;
  }
  let dot = -1;
  let first = -1;
  let last = -1;
  let intDigits = 0;
  let fracDigits = 0;
  for (; i < len; i++) {
    c = text.charCodeAt(i);
    if (c >= CH_0 && c <= CH_9) {
      if (dot < 0) intDigits++;
      else fracDigits++;
      if (c !== CH_0) {
        if (first < 0) first = i;
        last = i;
      }
    } else if (c === CH_DOT && dot < 0) {
      dot = i;
    } else {
      break;
    }
  }
  if (intDigits + fracDigits === 0) throw new DecimalFormatError("syntax", text);
  if (dot >= 0 && fracDigits === 0) throw new DecimalFormatError("syntax", text);
  const mantissaEnd = i;
  let exp = 0;
  if (i < len) {
    if (c !== CH_E && c !== CH_UPPER_E) throw new DecimalFormatError("syntax", text);
    i++;
    let expNegative = false;
    if (i < len) {
      c = text.charCodeAt(i);
      if (c === CH_MINUS || c === CH_PLUS) {
        expNegative = c === CH_MINUS;
        i++;
      }
    }
    if (i === len) throw new DecimalFormatError("syntax", text);
    for (; i < len; i++) {
      c = text.charCodeAt(i);
      if (c < CH_0 || c > CH_9) throw new DecimalFormatError("syntax", text);
      if (exp < EXPONENT_SATURATION) exp = exp * 10 + (c - CH_0);
    }
    if (expNegative) exp = -exp;
  }
  scanDot = dot;
  if (first < 0) {
    scanSign = 0;
    scanExponent = 0;
    scanFirst = 0;
    scanLast = -1;
    scanCount = 0;
    return;
  }
  const pointAt = dot >= 0 ? dot : mantissaEnd;
  // Scientific exponent of the first significant digit.
  const e = (first < pointAt ? pointAt - first - 1 : pointAt - first) + exp;
  const count = last - first + 1 - (dot > first && dot < last ? 1 : 0);
  if (e > MAX_DECIMAL_EXPONENT) throw new DecimalFormatError("overflow", text);
  if (e < MIN_DECIMAL_EXPONENT) throw new DecimalFormatError("underflow", text);
  if (count > MAX_DECIMAL_DIGITS) throw new DecimalFormatError("precision", text);
  scanSign = negative ? -1 : 1;
  scanExponent = e;
  scanFirst = first;
  scanLast = last;
  scanCount = count;
}

/** The significant digits of the last scan, as a string. */
function scannedDigits(text: string): string {
  if (scanSign === 0) return "";
  if (scanDot > scanFirst && scanDot < scanLast) {
    return text.slice(scanFirst, scanDot) + text.slice(scanDot + 1, scanLast + 1);
  }
  return text.slice(scanFirst, scanLast + 1);
}

/** Parse a DynamoDB number string; throws DecimalFormatError if invalid or out of range
 *  (up to 38 significant digits, magnitude 1e-130 .. 9.9999999999999999999999999999999999999e+125, or 0). */
export function parseDecimal(text: string): Decimal {
  scan(text);
  return { sign: scanSign, digits: scannedDigits(text), exponent: scanExponent };
}

/** Exact comparison of two DynamoDB numbers (-1, 0 or 1); throws DecimalFormatError. */
export function compareDecimal(a: string, b: string): number {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  if (x.sign !== y.sign) return x.sign < y.sign ? -1 : 1;
  if (x.sign === 0) return 0;
  let magnitude: number;
  if (x.exponent !== y.exponent) magnitude = x.exponent < y.exponent ? -1 : 1;
  // Digit strings have no trailing zeros, so plain string order is the order of the
  // fractions 0.d1d2...: a proper prefix is the smaller one.
  else if (x.digits === y.digits) magnitude = 0;
  else magnitude = x.digits < y.digits ? -1 : 1;
  return magnitude === 0 ? 0 : x.sign * magnitude;
}

/** DynamoDB's normalized text for a number (plain notation, see the top of this file). */
export function canonicalDecimal(text: string): string {
  const d = parseDecimal(text);
  return formatDecimal(d.sign, d.digits, d.exponent);
}

/** Plain-notation text of sign x d1.d2...dn x 10^exponent. */
export function formatDecimal(sign: -1 | 0 | 1, digits: string, exponent: number): string {
  if (sign === 0) return "0";
  const n = digits.length;
  let body: string;
  if (exponent >= n - 1) body = exponent === n - 1 ? digits : digits + "0".repeat(exponent - n + 1);
  else if (exponent >= 0) body = digits.slice(0, exponent + 1) + "." + digits.slice(exponent + 1);
  else body = "0." + "0".repeat(-exponent - 1) + digits;
  return sign < 0 ? "-" + body : body;
}

/** Order-preserving bytes for a DynamoDB number; throws DecimalFormatError. */
export function encodeDecimal(text: string): Uint8Array {
  scan(text);
  const out = new Uint8Array(encodedLength());
  writeScanned(text, out, 0);
  return out;
}

/** Encodes `text` into `target` at `offset` (which must have MAX_ENCODED_DECIMAL_LENGTH
 *  bytes of room) and returns the offset just past it; for composite-key encoders. */
export function encodeDecimalInto(text: string, target: Uint8Array, offset: number): number {
  scan(text);
  return writeScanned(text, target, offset);
}

function encodedLength(): number {
  return scanSign === 0 ? 1 : 3 + ((scanCount + 1) >> 1);
}

function writeScanned(text: string, out: Uint8Array, offset: number): number {
  if (scanSign === 0) {
    out[offset] = SIGN_ZERO;
    return offset + 1;
  }
  // Complementing is an XOR with 0xFF, so one loop serves both signs.
  const flip = scanSign < 0 ? 0xff : 0x00;
  let o = offset;
  out[o++] = scanSign < 0 ? SIGN_NEGATIVE : SIGN_POSITIVE;
  out[o++] = (scanExponent + EXPONENT_BIAS) ^ flip;
  let high = -1;
  for (let i = scanFirst; i <= scanLast; i++) {
    if (i === scanDot) continue;
    const d = text.charCodeAt(i) - CH_0;
    if (high < 0) {
      high = d;
    } else {
      out[o++] = (1 + high * 10 + d) ^ flip;
      high = -1;
    }
  }
  if (high >= 0) out[o++] = (1 + high * 10) ^ flip;
  out[o++] = flip;
  return o;
}

/** Canonical text of the number encoded in `bytes` (exactly one encoding, nothing after). */
export function decodeDecimal(bytes: Uint8Array): string {
  const r = decodeDecimalAt(bytes, 0);
  if (r.end !== bytes.length) throw new KeyDecodeError("trailing bytes after an encoded decimal");
  return r.text;
}

const DIGIT_PAIRS: readonly string[] = Array.from({ length: 100 }, (_, v) =>
  v < 10 ? "0" + v : String(v),
);

/** Decodes one encoded decimal starting at `offset`; returns its canonical text and the
 *  offset just past it. Rejects anything encodeDecimal would not produce. */
export function decodeDecimalAt(bytes: Uint8Array, offset: number): { text: string; end: number } {
  if (offset >= bytes.length) throw new KeyDecodeError("truncated decimal");
  const signByte = bytes[offset]!;
  if (signByte === SIGN_ZERO) return { text: "0", end: offset + 1 };
  if (signByte !== SIGN_POSITIVE && signByte !== SIGN_NEGATIVE) {
    throw new KeyDecodeError(`bad decimal sign byte 0x${signByte.toString(16)}`);
  }
  const flip = signByte === SIGN_NEGATIVE ? 0xff : 0x00;
  let o = offset + 1;
  if (o >= bytes.length) throw new KeyDecodeError("truncated decimal");
  // Every byte value is a valid exponent: the DynamoDB range is exactly 256 wide.
  const exponent = (bytes[o++]! ^ flip) - EXPONENT_BIAS;
  let digits = "";
  let pairs = 0;
  let lastPair = 0;
  for (;;) {
    if (o >= bytes.length) throw new KeyDecodeError("unterminated decimal");
    const b = bytes[o++]! ^ flip;
    if (b === 0) break;
    if (b > 100) throw new KeyDecodeError("bad decimal digit byte");
    lastPair = b - 1;
    if (pairs === 0 && lastPair < 10) throw new KeyDecodeError("decimal mantissa has a leading zero");
    digits += DIGIT_PAIRS[lastPair]!;
    pairs++;
  }
  if (pairs === 0) throw new KeyDecodeError("decimal without digits");
  if (lastPair === 0) throw new KeyDecodeError("decimal mantissa has trailing zeros");
  if (pairs > MAX_DECIMAL_DIGITS / 2) throw new KeyDecodeError("decimal has too many digits");
  if (lastPair % 10 === 0) digits = digits.slice(0, -1);
  return { text: formatDecimal(flip ? -1 : 1, digits, exponent), end: o };
}

function decimalFormatMessage(kind: DecimalFormatErrorKind, text: string): string {
  const shown = text.length > 64 ? text.slice(0, 64) + "..." : text;
  switch (kind) {
    case "syntax":
      return `not a number: ${JSON.stringify(shown)}`;
    case "overflow":
      return `number magnitude above 9.9999999999999999999999999999999999999e125: ${shown}`;
    case "underflow":
      return `number magnitude below 1e-130: ${shown}`;
    case "precision":
      return `number has more than ${MAX_DECIMAL_DIGITS} significant digits: ${shown}`;
  }
}
