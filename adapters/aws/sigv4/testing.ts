// Test support: sign requests with the real AWS SDK signer and turn them into AuthInput,
// plus an aws-chunked encoder written from the AWS spec for streaming-signature tests.

import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { buildQueryString } from "@smithy/core/protocols";
import { createHash, createHmac } from "node:crypto";
import type { Principal } from "../service.ts";
import type { AuthInput, AuthOptions } from "./authenticate.ts";

export const REGION = "us-east-1";
export const PRINCIPAL: Principal = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  ownerId: "owner-1",
  displayName: "tester",
};
export const SIGNING_DATE = new Date("2026-11-22T01:00:00Z");
export const NOW = SIGNING_DATE.getTime();

export function options(over: Partial<AuthOptions> = {}): AuthOptions {
  return {
    lookup: (id) => (id === PRINCIPAL.accessKeyId ? PRINCIPAL : undefined),
    region: REGION,
    now: () => NOW,
    bufferBody: false,
    ...over,
  };
}

export interface SignSpec {
  service: string;
  method?: string;
  host?: string;
  path?: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  date?: Date;
  /** Default: false for s3 (the S3 client's setting), true otherwise. */
  uriEscapePath?: boolean;
  applyChecksum?: boolean;
  unsignableHeaders?: Set<string>;
}

export interface Signed {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Uint8Array | undefined;
}

export async function sign(spec: SignSpec): Promise<Signed> {
  const host = spec.host ?? "127.0.0.1:4566";
  const [hostname, port] = host.split(":");
  const body = typeof spec.body === "string" ? new TextEncoder().encode(spec.body) : spec.body;
  const headers: Record<string, string> = { host, ...spec.headers };
  if (body !== undefined && headers["content-length"] === undefined) headers["content-length"] = String(body.byteLength);
  const request = new HttpRequest({
    method: spec.method ?? "GET",
    protocol: "http:",
    hostname,
    port: port ? Number(port) : undefined,
    path: spec.path ?? "/",
    query: spec.query ?? {},
    headers,
    body,
  });
  const signer = new SignatureV4({
    service: spec.service,
    region: spec.region ?? REGION,
    credentials: {
      accessKeyId: spec.accessKeyId ?? PRINCIPAL.accessKeyId,
      secretAccessKey: spec.secretAccessKey ?? PRINCIPAL.secretAccessKey,
    },
    sha256: Sha256,
    uriEscapePath: spec.uriEscapePath ?? spec.service !== "s3",
    applyChecksum: spec.applyChecksum ?? true,
  });
  const signed = (await signer.sign(request, {
    signingDate: spec.date ?? SIGNING_DATE,
    unsignableHeaders: spec.unsignableHeaders,
  })) as HttpRequest;
  const qs = buildQueryString(signed.query);
  return {
    method: signed.method,
    url: `http://${host}${signed.path}${qs ? "?" + qs : ""}`,
    headers: { ...signed.headers },
    body,
  };
}

export function streamFrom(...parts: (Uint8Array | string)[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  const chunks = parts.map((p) => (typeof p === "string" ? enc.encode(p) : p));
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
}

export function input(s: Signed, over: Partial<AuthInput> & { headerEdits?: Record<string, string | null> } = {}): AuthInput {
  const headers = new Headers(s.headers);
  for (const [k, v] of Object.entries(over.headerEdits ?? {})) {
    if (v === null) headers.delete(k);
    else headers.set(k, v);
  }
  return {
    method: over.method ?? s.method,
    url: over.url ?? new URL(s.url),
    headers,
    body: over.body !== undefined ? over.body : s.body === undefined ? null : streamFrom(s.body),
    rawTarget: over.rawTarget,
  };
}

export async function drain(stream: ReadableStream<Uint8Array> | null): Promise<Uint8Array> {
  if (stream === null) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  return Buffer.concat(parts);
}

// ---- aws-chunked encoder, from the AWS "Signature calculations for the Authorization header:
// transferring payload in multiple chunks" spec, independent of the decoder under test.

const EMPTY = createHash("sha256").update("").digest("hex");

export function signingKeyFor(secret: string, date: string, region: string, service: string): Buffer {
  let k: Buffer = createHmac("sha256", "AWS4" + secret).update(date).digest();
  for (const part of [region, service, "aws4_request"]) k = createHmac("sha256", k).update(part).digest();
  return k;
}

export interface ChunkedSpec {
  chunks: Uint8Array[];
  /** Seed: the request signature. Omit for unsigned chunks. */
  seed?: string;
  amzDate?: string;
  scope?: string;
  key?: Buffer;
  trailers?: [string, string][];
  signTrailer?: boolean;
}

export function encodeChunked(spec: ChunkedSpec): Uint8Array {
  const out: Buffer[] = [];
  let prev = spec.seed ?? "";
  const signChunk = (data: Uint8Array): string => {
    const sts = ["AWS4-HMAC-SHA256-PAYLOAD", spec.amzDate, spec.scope, prev, EMPTY, createHash("sha256").update(data).digest("hex")].join("\n");
    prev = createHmac("sha256", spec.key!).update(sts).digest("hex");
    return prev;
  };
  for (const c of [...spec.chunks, new Uint8Array(0)]) {
    const size = c.byteLength.toString(16);
    out.push(Buffer.from(spec.seed !== undefined ? `${size};chunk-signature=${signChunk(c)}\r\n` : `${size}\r\n`));
    if (c.byteLength > 0) out.push(Buffer.from(c), Buffer.from("\r\n"));
  }
  if (spec.trailers !== undefined) {
    let canonical = "";
    for (const [k, v] of spec.trailers) {
      out.push(Buffer.from(`${k}:${v}\r\n`));
      canonical += `${k}:${v}\n`;
    }
    if (spec.signTrailer) {
      const sts = ["AWS4-HMAC-SHA256-TRAILER", spec.amzDate, spec.scope, prev, createHash("sha256").update(canonical).digest("hex")].join("\n");
      out.push(Buffer.from(`x-amz-trailer-signature:${createHmac("sha256", spec.key!).update(sts).digest("hex")}\r\n`));
    }
  }
  out.push(Buffer.from("\r\n"));
  return Buffer.concat(out);
}

export function seedSignature(authorization: string): string {
  return authorization.slice(authorization.indexOf("Signature=") + 10);
}
