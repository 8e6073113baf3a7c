// Byte helpers for the etcd backend's key namespace (the store's `prefix` option).

/** The smallest key greater than every key starting with `prefix` ("\0" = end of keyspace). */
export function prefixEnd(prefix: Uint8Array): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

export function join(prefix: Buffer, key: Uint8Array): Buffer {
  if (prefix.length === 0) return Buffer.from(key.buffer, key.byteOffset, key.length);
  const out = Buffer.allocUnsafe(prefix.length + key.length);
  prefix.copy(out, 0);
  out.set(key, prefix.length);
  return out;
}

/**
 * A plain Uint8Array view of `buf` from `offset` (no copy). Callers compare results with
 * Uint8Array values, and a Buffer is a different class to deep-equality checks.
 */
export function view(buf: Uint8Array, offset = 0): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset + offset, buf.length - offset);
}

/** A map key for a byte string: latin1 maps each byte to one UTF-16 unit, so it is 1:1. */
export function mapKey(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString("latin1");
}

/**
 * etcd rejects an empty key in a range or compare. No stored key is empty, so "\0" (the
 * smallest non-empty key) starts the same span.
 */
export function lowKey(start: Buffer): Buffer {
  return start.length > 0 ? start : Buffer.from([0]);
}
