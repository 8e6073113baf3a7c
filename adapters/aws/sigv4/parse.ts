// Parsing of the SigV4 wire fields: Authorization header, X-Amz-Credential, dates.
// indexOf/slice only: this runs on every request.

import { AuthError } from "./auth-error.ts";

export const ALGORITHM = "AWS4-HMAC-SHA256";
const CREDENTIAL_FORMAT = 'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".';

export interface Credential {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

export interface ParsedAuthorization {
  credential: Credential;
  signedHeadersRaw: string;
  signature: string;
}

export function parseCredential(value: string, presigned: boolean): Credential {
  const parts = value.split("/");
  if (parts.length !== 5 || parts[0] === "" || parts[1]!.length !== 8 || parts[2] === "" || parts[3] === "") {
    throw new AuthError("malformed", CREDENTIAL_FORMAT, { presigned });
  }
  if (parts[4] !== "aws4_request") {
    throw new AuthError("malformed", 'incorrect terminal "' + parts[4] + '". This endpoint uses "aws4_request".', {
      presigned,
    });
  }
  return { accessKeyId: parts[0]!, date: parts[1]!, region: parts[2]!, service: parts[3]! };
}

/** `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` (commas with or without spaces). */
export function parseAuthorization(header: string): ParsedAuthorization {
  const sp = header.indexOf(" ");
  const algorithm = sp < 0 ? header : header.slice(0, sp);
  if (algorithm !== ALGORITHM) {
    throw new AuthError("unsupported", "Unsupported authorization type " + algorithm.slice(0, 40));
  }
  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  const rest = header.slice(sp + 1);
  let start = 0;
  while (start < rest.length) {
    let end = rest.indexOf(",", start);
    if (end < 0) end = rest.length;
    let a = start;
    let b = end;
    while (a < b && rest.charCodeAt(a) === 32) a++;
    while (b > a && rest.charCodeAt(b - 1) === 32) b--;
    const eq = rest.indexOf("=", a);
    if (eq > a && eq < b) {
      const key = rest.slice(a, eq);
      const value = rest.slice(eq + 1, b);
      if (key === "Credential") credential = value;
      else if (key === "SignedHeaders") signedHeaders = value;
      else if (key === "Signature") signature = value;
    } else if (b > a) {
      throw new AuthError("malformed", "Authorization header component is not a key=value pair: " + rest.slice(a, b).slice(0, 60));
    }
    start = end + 1;
  }
  const missing: string[] = [];
  if (credential === undefined) missing.push("Authorization header requires 'Credential' parameter.");
  if (signature === undefined) missing.push("Authorization header requires 'Signature' parameter.");
  if (signedHeaders === undefined) missing.push("Authorization header requires 'SignedHeaders' parameter.");
  if (missing.length > 0) throw new AuthError("malformed", missing.join(" "));
  return {
    credential: parseCredential(credential!, false),
    signedHeadersRaw: signedHeaders!,
    signature: signature!,
  };
}

function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** `20240102T030405Z` → ms epoch, or undefined when not in that exact form. */
export function parseAmzDate(s: string): number | undefined {
  if (s.length !== 16 || s.charCodeAt(8) !== 84 /* T */ || s.charCodeAt(15) !== 90 /* Z */) return undefined;
  const y = digits(s, 0, 4);
  const mo = digits(s, 4, 6);
  const d = digits(s, 6, 8);
  const h = digits(s, 9, 11);
  const mi = digits(s, 11, 13);
  const se = digits(s, 13, 15);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60) {
    return undefined;
  }
  return Date.UTC(y, mo - 1, d, h, mi, se);
}

/** Signed header names from `a;b;c`; they must be lowercase, as every signer sends them. */
export function splitSignedHeaders(raw: string, presigned: boolean): string[] {
  const names = raw.split(";");
  for (const n of names) {
    if (n.length === 0 || hasUpper(n)) {
      throw new AuthError("malformed", "SignedHeaders must be a ';'-separated list of lowercase header names.", {
        presigned,
      });
    }
  }
  return names;
}

function hasUpper(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}
