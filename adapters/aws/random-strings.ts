// Random ids from one pooled buffer. A randomBytes(n) call per id cost several µs (a trip
// into the crypto binding each time), on hot paths like PutObject and ReceiveMessage; a
// pool refilled from the CSPRNG every `perRefill` ids costs one call per batch. Every id
// still uses its own fresh bytes, never reused.

import { randomFillSync } from "node:crypto";

/** A generator of strings, each `bytes` fresh random bytes in `encoding`. */
export function randomStrings(bytes: number, encoding: "hex" | "base64url", perRefill = 256): () => string {
  const pool = Buffer.alloc(bytes * perRefill);
  let at = pool.length;
  return () => {
    if (at + bytes > pool.length) {
      randomFillSync(pool);
      at = 0;
    }
    const s = pool.toString(encoding, at, at + bytes);
    at += bytes;
    return s;
  };
}
