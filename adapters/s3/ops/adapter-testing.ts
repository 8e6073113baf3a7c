// Requests handed straight to the adapter (no gateway, no signing), for tests of whole
// operations: a body buffered (`ServiceRequest.bytes`) or streamed in pieces.

import type { ServiceRequest } from "../../aws/service.ts";

const principal = { accessKeyId: "test", secretAccessKey: "test", ownerId: "owner", displayName: "owner" };

/** A stream that hands `bytes` over in pieces of `piece` bytes. */
function piecesOf(bytes: Uint8Array, piece: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + piece));
      at += piece;
    },
  });
}

export function request(method: string, path: string, opts: { body?: Uint8Array; buffered?: boolean; piece?: number; headers?: Record<string, string> } = {}): ServiceRequest {
  const { body, buffered = false, piece = 1000 } = opts;
  const headers = new Headers({ host: "localhost", ...(body ? { "content-length": String(body.length) } : {}), ...opts.headers });
  const stream = body && !buffered ? piecesOf(body, piece) : null;
  return {
    method,
    url: new URL(`http://localhost${path}`),
    rawPath: path.split("?")[0]!,
    headers,
    get body() {
      if (buffered) throw new Error("a buffered body must be read from `bytes`");
      return stream;
    },
    bytes: buffered ? body : undefined,
    contentLength: body?.length,
    trailers: Promise.resolve(new Headers()),
    principal,
    signing: { accessKeyId: "test", region: "us-east-1", service: "s3", signedHeaders: [], presigned: false },
    requestId: "test",
    signal: new AbortController().signal,
  };
}
