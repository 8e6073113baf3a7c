// SigV4 verification for every service: Authorization-header and presigned-query auth,
// scope and clock checks, then the payload (signed hash, unsigned, or aws-chunked).

import type { Principal, SigningInfo } from "../service.ts";
import { AuthError, BodyAuthError, authErrorFor } from "./auth-error.ts";
import { decodeAwsChunked, type ChunkedMode } from "./aws-chunked.ts";
import { readAll, streamOf, verifySha256Stream } from "./body.ts";
import { canonicalPath, canonicalQuery, canonicalRequest, parseQuery, type QueryParam } from "./canonical.ts";
import { MAX_SKEW_MS, isoBasic } from "./error-table.ts";
import {
  ALGORITHM,
  parseAmzDate,
  parseAuthorization,
  parseCredential,
  splitSignedHeaders,
  type Credential,
} from "./parse.ts";
import { EMPTY_SHA256, sameSignature, sha256Hex, signatureHex, signingKey } from "./signing-key.ts";
import { authenticateV2, isSigV2Query, sigV2AccessKey } from "./sigv2.ts";

export interface AuthInput {
  method: string;
  /** As received, path not decoded. */
  url: URL;
  headers: Headers;
  body: ReadableStream<Uint8Array> | null;
  /**
   * The whole payload, when the caller has already read it (cheaper than a stream for the
   * small JSON/Query bodies); `body` is then ignored.
   */
  bytes?: Uint8Array;
  /**
   * The request target exactly as on the wire (`/path?query`, e.g. IncomingMessage.url).
   * Optional: WHATWG URL parsing normalizes dot segments and backslashes, which breaks the
   * signature of an S3 key like `a/../b`; pass it when the server has it.
   */
  rawTarget?: string;
}

export interface AuthOptions {
  lookup(accessKeyId: string): Principal | undefined;
  /** The gateway's region; the scope's region must match. */
  region: string;
  /** ms epoch, for tests. */
  now?: () => number;
  /**
   * Services whose payload is small and hashed by buffering (sqs, dynamodb, sts): the body
   * is read fully (up to maxBufferedBytes) and hashed. For s3 the body streams.
   */
  bufferBody: boolean;
  maxBufferedBytes?: number;
  /** The service this listener serves; default: any of s3, sqs, dynamodb, sts. */
  service?: string;
}

export interface Authenticated {
  principal: Principal;
  signing: SigningInfo;
  /** Decoded payload, verifying as it streams. */
  body: ReadableStream<Uint8Array> | null;
  /** Decoded length if known. */
  contentLength: number | undefined;
  trailers: Promise<Headers>;
  /** When bufferBody: the full payload bytes (already verified). */
  bytes?: Uint8Array;
}

const KNOWN_SERVICES: ReadonlySet<string> = new Set(["s3", "sqs", "dynamodb", "sts"]);
const DEFAULT_MAX_BUFFERED = 16 * 1024 * 1024 + 64 * 1024;
const MAX_PRESIGN_EXPIRES = 604800;
const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
const NO_TRAILERS: Promise<Headers> = Promise.resolve(new Headers());

const STREAMING_MODES: Readonly<Record<string, ChunkedMode>> = {
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD": "signed",
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER": "signed-trailer",
  "STREAMING-UNSIGNED-PAYLOAD-TRAILER": "unsigned-trailer",
};

const PRESIGN_PARAMS = [
  "X-Amz-Algorithm",
  "X-Amz-Credential",
  "X-Amz-Date",
  "X-Amz-Expires",
  "X-Amz-SignedHeaders",
  "X-Amz-Signature",
] as const;

interface Claimed {
  presigned: boolean;
  credential: Credential;
  signedHeadersRaw: string;
  signature: string;
  amzDate: string;
  expires: number;
}

function isLowerHex64(s: string): boolean {
  if (s.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

function splitTarget(input: AuthInput): { path: string; query: string } {
  if (input.rawTarget !== undefined) {
    const q = input.rawTarget.indexOf("?");
    return q < 0
      ? { path: input.rawTarget, query: "" }
      : { path: input.rawTarget.slice(0, q), query: input.rawTarget.slice(q + 1) };
  }
  return { path: input.url.pathname, query: input.url.search.length > 1 ? input.url.search.slice(1) : "" };
}

function findParam(params: QueryParam[], name: string): string | undefined {
  for (const p of params) if (p.name === name) return p.value;
  return undefined;
}

function claimFromHeader(authz: string, headers: Headers): Claimed {
  const parsed = parseAuthorization(authz);
  let amzDate = headers.get("x-amz-date");
  if (amzDate === null) {
    const date = headers.get("date");
    const ms = date === null ? NaN : Date.parse(date);
    if (Number.isNaN(ms)) throw new AuthError("date_missing", "no valid x-amz-date or Date header");
    amzDate = isoBasic(ms);
  }
  return {
    presigned: false,
    credential: parsed.credential,
    signedHeadersRaw: parsed.signedHeadersRaw,
    signature: parsed.signature,
    amzDate,
    expires: 0,
  };
}

function claimFromQuery(params: QueryParam[]): Claimed | undefined {
  const values: Partial<Record<(typeof PRESIGN_PARAMS)[number], string>> = {};
  let any = false;
  for (const p of params) {
    if ((PRESIGN_PARAMS as readonly string[]).includes(p.name)) {
      values[p.name as (typeof PRESIGN_PARAMS)[number]] = p.value;
      any = true;
    }
  }
  if (!any) return undefined;
  for (const name of PRESIGN_PARAMS) {
    if (values[name] === undefined) {
      throw new AuthError(
        "malformed",
        "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
        { presigned: true },
      );
    }
  }
  if (values["X-Amz-Algorithm"] !== ALGORITHM) {
    throw new AuthError("unsupported", "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"", { presigned: true });
  }
  const rawExpires = values["X-Amz-Expires"]!;
  const expires = /^\d{1,7}$/.test(rawExpires) ? Number(rawExpires) : NaN;
  if (Number.isNaN(expires)) {
    throw new AuthError("malformed", "X-Amz-Expires should be a number", { presigned: true });
  }
  if (expires < 1) throw new AuthError("malformed", "X-Amz-Expires must be greater than 0", { presigned: true });
  if (expires > MAX_PRESIGN_EXPIRES) {
    throw new AuthError("malformed", "X-Amz-Expires must be less than a week (in seconds) that is 604800", {
      presigned: true,
    });
  }
  return {
    presigned: true,
    credential: parseCredential(values["X-Amz-Credential"]!, true),
    signedHeadersRaw: values["X-Amz-SignedHeaders"]!,
    signature: values["X-Amz-Signature"]!,
    amzDate: values["X-Amz-Date"]!,
    expires,
  };
}

export async function authenticate(input: AuthInput, opts: AuthOptions): Promise<Authenticated> {
  const now = opts.now ? opts.now() : Date.now();
  const target = splitTarget(input);
  const params = parseQuery(target.query);
  const headers = input.headers;

  const authz = headers.get("authorization");
  const v4Query = findParam(params, "X-Amz-Algorithm") !== undefined || findParam(params, "X-Amz-Signature") !== undefined;
  if (authz !== null ? v4Query || isSigV2Query(params) : v4Query && isSigV2Query(params)) {
    throw new AuthError("multiple_auth", "Only one auth mechanism allowed; use the Authorization header or query parameters");
  }
  if (authz !== null ? authz.startsWith("AWS ") : !v4Query && isSigV2Query(params)) {
    return authenticateV2(input, opts, target.path, params, now);
  }
  const claimed = authz !== null ? claimFromHeader(authz, headers) : claimFromQuery(params);
  if (claimed === undefined) throw new AuthError("missing", "request carries no AWS credentials");
  const { presigned, credential } = claimed;
  const ctx = { presigned, accessKeyId: credential.accessKeyId };

  const requestTime = parseAmzDate(claimed.amzDate);
  if (requestTime === undefined) {
    if (presigned) throw new AuthError("malformed", "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"", ctx);
    throw new AuthError("date_malformed", "x-amz-date is not in ISO 8601 basic format", { ...ctx, argumentValue: claimed.amzDate });
  }

  const service = credential.service;
  if (opts.service !== undefined ? service !== opts.service : !KNOWN_SERVICES.has(service)) {
    throw new AuthError("scope_service", "credential scoped to the wrong service", {
      ...ctx,
      service,
      expectedService: opts.service,
    });
  }
  if (credential.region !== opts.region) {
    throw new AuthError("scope_region", "credential scoped to the wrong region", {
      ...ctx,
      region: credential.region,
      expectedRegion: opts.region,
    });
  }
  if (credential.date !== claimed.amzDate.slice(0, 8)) {
    throw new AuthError("scope_date", "credential date differs from the request date", {
      ...ctx,
      scopeDate: credential.date,
      amzDate: claimed.amzDate,
    });
  }

  const principal = opts.lookup(credential.accessKeyId);
  if (principal === undefined) throw new AuthError("unknown_key", "unknown access key id", ctx);

  if (presigned) {
    if (requestTime - now > MAX_SKEW_MS) {
      throw new AuthError("not_yet_valid", "presigned request is not valid yet", { ...ctx, requestTime, serverTime: now });
    }
    if (now > requestTime + claimed.expires * 1000) {
      throw new AuthError("expired", "presigned request has expired", {
        ...ctx,
        requestTime,
        serverTime: now,
        expires: claimed.expires,
      });
    }
  } else if (Math.abs(now - requestTime) > MAX_SKEW_MS) {
    throw new AuthError("skewed", "request time too skewed", { ...ctx, requestTime, serverTime: now });
  }

  const signedHeaders = splitSignedHeaders(claimed.signedHeadersRaw, presigned);
  if (!signedHeaders.includes("host")) {
    throw new AuthError("unsigned_header_required", "host must be signed", { ...ctx, headersNotSigned: ["host"] });
  }
  const isS3 = service === "s3";
  if (isS3) {
    // S3 refuses x-amz-* headers the signature does not cover (their meaning is not protected).
    let notSigned: string[] | undefined;
    for (const [name] of headers) {
      if (name.startsWith("x-amz-") && !signedHeaders.includes(name) && !(presigned && name === "x-amz-content-sha256")) {
        (notSigned ??= []).push(name);
      }
    }
    if (notSigned !== undefined) {
      throw new AuthError("unsigned_header_required", "x-amz-* headers not signed", { ...ctx, headersNotSigned: notSigned });
    }
  }

  // The payload hash that was signed, and what the body must then be checked against.
  const headerSha = headers.get("x-amz-content-sha256");
  let contentSha: string | null;
  if (presigned) contentSha = findParam(params, "X-Amz-Content-Sha256") ?? (isS3 ? UNSIGNED_PAYLOAD : headerSha);
  else contentSha = headerSha;
  if (contentSha === null && isS3) throw new AuthError("content_sha256_missing", "x-amz-content-sha256 missing", ctx);

  const maxBuffered = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED;
  const preread = input.bytes;
  if (opts.bufferBody && preread !== undefined && preread.byteLength > maxBuffered) {
    throw new AuthError("body_too_large", "request body too large", { ...ctx, maxBytes: maxBuffered });
  }

  let chunkedMode: ChunkedMode | undefined;
  let bytes: Uint8Array | undefined;
  let payloadHash: string;
  if (contentSha === null) {
    bytes = preread ?? (await readAll(input.body, maxBuffered));
    payloadHash = sha256Hex(bytes);
  } else {
    payloadHash = contentSha;
    if (contentSha !== UNSIGNED_PAYLOAD && !isLowerHex64(contentSha)) {
      chunkedMode = STREAMING_MODES[contentSha];
      if (chunkedMode === undefined) {
        if (contentSha.startsWith("STREAMING-AWS4-ECDSA")) {
          throw new AuthError("unsupported", "SigV4a streaming payloads are not supported", ctx);
        }
        throw new AuthError("content_sha256_invalid", "invalid x-amz-content-sha256", { ...ctx, argumentValue: contentSha });
      }
      // Chunk signatures chain from a header signature; a presigned URL has none to offer.
      if (presigned) throw new AuthError("content_sha256_invalid", "aws-chunked body on a presigned URL", { ...ctx, argumentValue: contentSha });
    }
  }

  const scope = credential.date + "/" + credential.region + "/" + service + "/aws4_request";
  const canonical = canonicalRequest(
    input.method,
    canonicalPath(target.path, service),
    canonicalQuery(params),
    signedHeaders,
    headers,
    input.url.host,
    claimed.signedHeadersRaw,
    payloadHash,
  );
  const stringToSign = ALGORITHM + "\n" + claimed.amzDate + "\n" + scope + "\n" + sha256Hex(canonical);
  const key = signingKey(principal.secretAccessKey, credential.date, credential.region, service);
  const expected = signatureHex(key, stringToSign);
  if (!sameSignature(expected, claimed.signature)) {
    throw new AuthError("bad_signature", "signature mismatch", {
      ...ctx,
      stringToSign,
      canonicalRequest: canonical,
      signatureProvided: claimed.signature,
    });
  }

  const signing: SigningInfo = {
    accessKeyId: credential.accessKeyId,
    region: credential.region,
    service,
    signedHeaders,
    contentSha256: headerSha ?? undefined,
    presigned,
  };
  const wrapError = bodyErrorFor(service);

  let body: ReadableStream<Uint8Array> | null = preread !== undefined ? null : input.body;
  let contentLength = parseLength(headers.get("content-length"));
  let trailers = NO_TRAILERS;

  if (chunkedMode !== undefined) {
    const decodedLength = parseLength(headers.get("x-amz-decoded-content-length"));
    if (decodedLength === undefined) {
      throw new AuthError("decoded_length_missing", "aws-chunked body without x-amz-decoded-content-length", ctx);
    }
    const declared = headers.get("x-amz-trailer");
    const decodedBody = decodeAwsChunked(body ?? streamOf(preread ?? new Uint8Array(0)), {
      mode: chunkedMode,
      decodedLength,
      signing:
        chunkedMode === "unsigned-trailer"
          ? undefined
          : { key, amzDate: claimed.amzDate, scope, seedSignature: expected },
      declaredTrailers:
        declared === null ? undefined : new Set(declared.split(",").map((s) => s.trim().toLowerCase())),
      wrapError,
    });
    body = decodedBody.body;
    trailers = decodedBody.trailers;
    contentLength = decodedLength;
  } else if (bytes === undefined && contentSha !== null && contentSha !== UNSIGNED_PAYLOAD) {
    // A GET/HEAD signed with the empty hash and announcing no body needs no verifying stream
    // (building one costs µs per request); nothing reads a GET body anyway.
    const noBody =
      contentSha === EMPTY_SHA256 &&
      (input.method === "GET" || input.method === "HEAD") &&
      (contentLength === undefined || contentLength === 0) &&
      !headers.has("transfer-encoding");
    if (noBody) {
      // nothing to verify
    } else if (body === null && preread === undefined) {
      if (contentSha !== EMPTY_SHA256) {
        throw new AuthError("payload_hash", "payload hash mismatch", { ...ctx, clientSha256: contentSha, computedSha256: EMPTY_SHA256 });
      }
    } else if (opts.bufferBody || preread !== undefined) {
      bytes = preread ?? (await readAll(input.body, maxBuffered));
      const got = sha256Hex(bytes);
      if (got !== contentSha) {
        throw new AuthError("payload_hash", "payload hash mismatch", { ...ctx, clientSha256: contentSha, computedSha256: got });
      }
    } else {
      body = verifySha256Stream(body!, contentSha, wrapError);
    }
  }

  if (bytes === undefined && chunkedMode === undefined && preread !== undefined) {
    bytes = preread;
  } else if (opts.bufferBody && bytes === undefined) {
    try {
      bytes = chunkedMode === undefined ? (preread ?? (await readAll(input.body, maxBuffered))) : await readAll(body, maxBuffered);
    } catch (err) {
      throw err instanceof BodyAuthError ? err.authError : err;
    }
  }
  if (bytes !== undefined) {
    // Buffered services read `bytes`; a ReadableStream costs several µs to construct on
    // Node 20, so it is made only if someone asks for it.
    const buffered = bytes;
    let lazy: ReadableStream<Uint8Array> | undefined;
    return {
      principal,
      signing,
      get body() {
        return (lazy ??= streamOf(buffered));
      },
      contentLength: buffered.byteLength,
      trailers,
      bytes: buffered,
    };
  }
  return { principal, signing, body, contentLength, trailers };
}

/** What a verifying body stream errors with: the service's AwsError, failure attached. */
function bodyErrorFor(service: string): (e: AuthError) => Error {
  return (e) => new BodyAuthError(e, authErrorFor(service, e));
}

function parseLength(v: string | null): number | undefined {
  if (v === null || v.length === 0 || v.length > 15) return undefined;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return Number(v);
}

/** The access key a request names, SigV4 or SigV2, header or presigned; unverified. */
export function requestAccessKey(url: URL, headers: Headers): string | undefined {
  return credentialScope(url, headers)?.accessKeyId ?? sigV2AccessKey(url, headers);
}

/**
 * Cheap pre-routing peek: service and region from the Authorization header or the
 * X-Amz-Credential query parameter, without verifying anything.
 */
export function credentialScope(
  url: URL,
  headers: Headers,
): { accessKeyId: string; date: string; region: string; service: string } | undefined {
  let value: string | null = null;
  const authz = headers.get("authorization");
  if (authz !== null) {
    const at = authz.indexOf("Credential=");
    if (at < 0) return undefined;
    let end = authz.indexOf(",", at);
    if (end < 0) end = authz.length;
    value = authz.slice(at + 11, end).trim();
  } else if (url.search.length > 1) {
    value = url.searchParams.get("X-Amz-Credential");
  }
  if (value === null) return undefined;
  const parts = value.split("/");
  if (parts.length !== 5 || parts[4] !== "aws4_request") return undefined;
  return { accessKeyId: parts[0]!, date: parts[1]!, region: parts[2]!, service: parts[3]! };
}
