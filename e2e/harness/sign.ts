// Pre-signed requests for replay: signed once with the AWS SDK's own signer, replayed for
// the length of a run (well inside SigV4's 15-minute window). The gateway still verifies
// every signature in full on every request.

import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
/** A signed request ready to send or replay; body as base64 (JSON-safe). */
export interface SignedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface SignInput {
  service: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  endpoint: string;
  method: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
}

export async function signForReplay(input: SignInput): Promise<SignedRequest> {
  const url = new URL(input.endpoint);
  const body = typeof input.body === "string" ? new TextEncoder().encode(input.body) : input.body;
  const headers: Record<string, string> = { host: url.host, ...input.headers };
  if (body) headers["content-length"] = String(body.byteLength);
  const signer = new SignatureV4({ service: input.service, region: input.region, credentials: input.credentials, sha256: Sha256, uriEscapePath: input.service !== "s3" });
  const signed = await signer.sign(
    new HttpRequest({ method: input.method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: input.path, query: input.query, headers, body }),
  );
  const qs = input.query ? `?${new URLSearchParams(input.query).toString()}` : "";
  return { method: input.method, path: input.path + qs, headers: signed.headers as Record<string, string>, body: body ? Buffer.from(body).toString("base64") : undefined };
}

/** Send a signed request with fetch (for tests that need raw HTTP control). */
export function sendSigned(endpoint: string, r: SignedRequest, signal?: AbortSignal): Promise<Response> {
  const headers = { ...r.headers };
  delete headers.host;
  delete headers["content-length"];
  return fetch(endpoint + r.path, { method: r.method, headers, body: r.body === undefined ? undefined : Buffer.from(r.body, "base64"), signal });
}
