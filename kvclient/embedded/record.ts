// On-disk format of the embedded store (format version 1).
//
// One lmdb environment (a directory) holds two named databases, both with raw byte keys
// (`keyEncoding: "binary"`, lmdb compares them as unsigned bytes) and raw byte values:
//
//   "kv"    user key -> [modRevision: uint64 big-endian, 8 bytes][user value bytes]
//   "meta"  "revision" -> uint64 big-endian: the store-wide revision, i.e. the revision
//                         of the last commit that wrote anything (0 for a new store)
//           "format"   -> uint32 big-endian: this format's version (1)
//
// Every committing transaction takes revision = meta.revision + 1 inside the lmdb write
// transaction that applies it, so revisions are gap-free per commit and stay monotonic
// across processes sharing the directory (lmdb serializes writers with its own lock).

export const FORMAT_VERSION = 1;
export const REVISION_BYTES = 8;

export const META_REVISION_KEY = new TextEncoder().encode("revision");
export const META_FORMAT_KEY = new TextEncoder().encode("format");

export function encodeRecord(revision: bigint, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(REVISION_BYTES + value.length);
  new DataView(out.buffer).setBigUint64(0, revision);
  out.set(value, REVISION_BYTES);
  return out;
}

/** The modRevision stored in front of a record (the record must come from the "kv" db). */
export function recordRevision(record: Uint8Array): bigint {
  return new DataView(record.buffer, record.byteOffset, REVISION_BYTES).getBigUint64(0);
}

/** The user value of a record; a view into `record`, which callers own (lmdb copies it out). */
export function recordValue(record: Uint8Array): Uint8Array {
  return record.subarray(REVISION_BYTES);
}

export function encodeUint64(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n);
  return out;
}

export function decodeUint64(bytes: Uint8Array | undefined): bigint {
  if (!bytes) return 0n;
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0);
}

export function encodeUint32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

export function decodeUint32(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
}
