// Request bodies as S3 operations read them: the verified bytes when the gateway already
// buffered them (small bodies with a Content-Length), else the verifying stream, with
// stream failures mapped to the S3 error the client should see.

import { AwsError } from "../../aws/errors.ts";
import type { ServiceRequest } from "../../aws/service.ts";
import { S3Errors } from "./errors.ts";

const EMPTY = new Uint8Array(0);

/** Re-raises a body stream failure as the S3 error the client should see. */
function bodyError(err: unknown, signal: AbortSignal): unknown {
  if (err instanceof AwsError) return err;
  if (signal.aborted) return S3Errors.requestTimeout();
  return S3Errors.incompleteBody();
}

/** A body stream as pieces, with stream failures mapped to S3 errors. */
async function* bodyPieces(body: ReadableStream<Uint8Array> | null, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  let done = false;
  try {
    for (;;) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (err) {
        throw bodyError(err, signal);
      }
      if (r.done) {
        done = true;
        return;
      }
      yield r.value;
    }
  } finally {
    if (!done) reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** A request's body as pieces: the buffered bytes when the gateway has them, else the stream. */
export function requestPieces(req: ServiceRequest, signal: AbortSignal): AsyncIterable<Uint8Array> {
  const bytes = req.bytes;
  if (bytes === undefined) return bodyPieces(req.body, signal);
  return (async function* () {
    if (bytes.length > 0) yield bytes;
  })();
}

/**
 * A whole (small) body. More than `maxBytes` throws `tooLarge()` (IncompleteBody unless the
 * operation says otherwise: XML configuration bodies answer MalformedXML).
 */
export async function readWholeBody(req: ServiceRequest, maxBytes: number, signal: AbortSignal, tooLarge: () => AwsError = S3Errors.incompleteBody): Promise<Uint8Array> {
  if (req.bytes !== undefined) {
    if (req.bytes.length > maxBytes) throw tooLarge();
    return req.bytes;
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const piece of requestPieces(req, signal)) {
    total += piece.length;
    if (total > maxBytes) throw tooLarge();
    parts.push(piece);
  }
  if (parts.length === 1) return parts[0]!;
  return parts.length === 0 ? EMPTY : Buffer.concat(parts, total);
}
