// Plain (not aws-chunked) payloads: a stream that checks the signed SHA-256 before it ends,
// and bounded buffering for the small-payload services.

import { createHash } from "node:crypto";
import { AuthError } from "./auth-error.ts";

/**
 * Pass bytes through as the consumer pulls them; at the source's end, compare the SHA-256
 * with the signed one and error instead of closing when they differ.
 */
export function verifySha256Stream(
  source: ReadableStream<Uint8Array>,
  expectedHex: string,
  wrapError: (e: AuthError) => Error,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  const hash = createHash("sha256");
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) {
            const got = hash.digest("hex");
            if (got !== expectedHex) {
              controller.error(
                wrapError(
                  new AuthError("payload_hash", "payload hash mismatch", { clientSha256: expectedHex, computedSha256: got }),
                ),
              );
            } else {
              controller.close();
            }
            return;
          }
          if (value.byteLength === 0) continue;
          hash.update(value);
          controller.enqueue(value);
          return;
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** Read a whole body, failing as soon as it passes maxBytes. */
export async function readAll(source: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array> {
  if (source === null) return new Uint8Array(0);
  const reader = source.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      reader.cancel().catch(() => {});
      throw new AuthError("body_too_large", "request body too large", { maxBytes });
    }
    parts.push(value);
  }
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

export function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (bytes.byteLength > 0) controller.enqueue(bytes);
      controller.close();
    },
  });
}
