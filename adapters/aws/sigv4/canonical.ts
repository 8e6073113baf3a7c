// The canonical request, rebuilt from the request exactly as the AWS signers build it
// (@smithy/signature-v4, botocore): path, sorted query, signed headers, payload hash.

const UNRESERVED = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9\-_.~]/.test(ch)) UNRESERVED[c] = 1;
}

function isUnreserved(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || UNRESERVED[c] === 0) return false;
  }
  return true;
}

/** RFC 3986 encoding as the SDKs do it: encodeURIComponent plus !'()*. */
export function escapeUri(s: string): string {
  if (isUnreserved(s)) return s;
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

function decode(s: string): string {
  if (s.indexOf("%") < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    // A stray '%' is taken literally; the signer would have encoded it as %25.
    return s;
  }
}

/**
 * Canonical URI. S3 signs the path as sent (no normalization, no second encoding);
 * every other service signs the dot-normalized path URI-encoded once more, which the SDK
 * signer calls `uriEscapePath`.
 */
export function canonicalPath(rawPath: string, service: string): string {
  const path = rawPath === "" ? "/" : rawPath;
  if (service === "s3") return path;
  const segments: string[] = [];
  for (const seg of path.split("/")) {
    if (seg.length === 0 || seg === ".") continue;
    if (seg === "..") segments.pop();
    else segments.push(seg);
  }
  const normalized =
    (path.startsWith("/") ? "/" : "") + segments.join("/") + (segments.length > 0 && path.endsWith("/") ? "/" : "");
  return escapeUri(normalized).replace(/%2F/g, "/");
}

export interface QueryParam {
  /** Decoded name and value. */
  name: string;
  value: string;
}

/** Split a raw query string (no leading '?'). '+' stays a plus: SigV4 clients encode spaces as %20. */
export function parseQuery(rawQuery: string): QueryParam[] {
  const out: QueryParam[] = [];
  if (rawQuery.length === 0) return out;
  let start = 0;
  while (start <= rawQuery.length) {
    let end = rawQuery.indexOf("&", start);
    if (end < 0) end = rawQuery.length;
    if (end > start) {
      const part = rawQuery.slice(start, end);
      const eq = part.indexOf("=");
      if (eq < 0) out.push({ name: decode(part), value: "" });
      else out.push({ name: decode(part.slice(0, eq)), value: decode(part.slice(eq + 1)) });
    }
    start = end + 1;
  }
  return out;
}

/** Canonical query string: every parameter but X-Amz-Signature, encoded, sorted by name then value. */
export function canonicalQuery(params: QueryParam[]): string {
  if (params.length === 0) return "";
  const pairs: [string, string][] = [];
  for (const p of params) {
    if (p.name.length === 15 && p.name.toLowerCase() === "x-amz-signature") continue;
    pairs.push([escapeUri(p.name), escapeUri(p.value)]);
  }
  if (pairs.length > 1) {
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  }
  let out = "";
  for (let i = 0; i < pairs.length; i++) out += (i ? "&" : "") + pairs[i]![0] + "=" + pairs[i]![1];
  return out;
}

/** Trim and fold runs of spaces/tabs (and line breaks) to one space, as the signers do. */
export function canonicalHeaderValue(v: string): string {
  let clean = true;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 9 || c === 10 || c === 13 || (c === 32 && (i === 0 || i === v.length - 1 || v.charCodeAt(i + 1) === 32))) {
      clean = false;
      break;
    }
  }
  if (clean) return v;
  return v.replace(/[\r\n]/g, " ").replace(/[ \t]+/g, " ").trim();
}

/**
 * Headers that keep each value of a field sent more than once (the gateway's IncomingHeaders
 * do; `repeated` is undefined while no field has been). fetch Headers join such values with
 * ", ", but the signers trim each value and join them with "," (AWS SigV4 test suite case
 * get-header-key-duplicate: `my-header1:value2,value2,value1`; botocore canonical_headers;
 * S3's SigV2 CanonicalizedAmzHeaders: `x-amz-meta-username:fred,barney`).
 */
export interface RepeatedFields {
  readonly repeated?: Readonly<Record<string, readonly string[]>>;
}

/** `host` falls back to the URL's authority (HTTP/2 requests carry :authority instead). */
export function canonicalRequest(
  method: string,
  path: string,
  query: string,
  signedHeaders: readonly string[],
  headers: Headers,
  urlHost: string,
  signedHeadersRaw: string,
  payloadHash: string,
): string {
  const repeated = (headers as RepeatedFields).repeated;
  let lines = "";
  for (const name of signedHeaders) {
    const values = repeated?.[name];
    if (values !== undefined) {
      lines += name + ":" + values.map(canonicalHeaderValue).join(",") + "\n";
      continue;
    }
    const v = headers.get(name) ?? (name === "host" ? urlHost : "");
    lines += name + ":" + canonicalHeaderValue(v) + "\n";
  }
  return method + "\n" + path + "\n" + query + "\n" + lines + "\n" + signedHeadersRaw + "\n" + payloadHash;
}
