// Identifiers minted by the adapter: time-ordered message ids, receipt handles, and the
// stable hash that maps a FIFO message group onto a partition.

import { randomBytes } from "node:crypto";

/** A UUIDv7: the ms timestamp leads, so message keys scan oldest first. */
export function newMessageId(now = Date.now()): string {
  const b = randomBytes(16);
  const ts = BigInt(now);
  for (let i = 0; i < 6; i++) b[i] = Number((ts >> BigInt(8 * (5 - i))) & 0xffn);
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The send time a UUIDv7 message id carries. */
export function messageIdTime(id: string): number {
  return parseInt(id.replace(/-/g, "").slice(0, 12), 16);
}

export const newNonce = () => randomBytes(6).toString("base64url");

export interface ReceiptHandle {
  qid: string;
  partition: number;
  messageId: string;
  nonce: string;
}

const HANDLE_RE = /^([0-9a-f]{16}):([0-9]{1,4}):([0-9a-f-]{36}):([A-Za-z0-9_-]{8})$/;

export function encodeReceiptHandle(h: ReceiptHandle): string {
  return Buffer.from(`${h.qid}:${h.partition}:${h.messageId}:${h.nonce}`, "utf8").toString("base64");
}

export function decodeReceiptHandle(handle: string): ReceiptHandle | undefined {
  if (handle.length === 0 || handle.length > 1024 || !/^[A-Za-z0-9+/=]+$/.test(handle)) return undefined;
  const m = HANDLE_RE.exec(Buffer.from(handle, "base64").toString("utf8"));
  if (!m) return undefined;
  return { qid: m[1]!, partition: Number(m[2]), messageId: m[3]!, nonce: m[4]! };
}

/** FNV-1a over the group id's UTF-8 bytes: stable across processes and restarts. */
export function partitionOf(group: string, partitions: number): number {
  if (partitions <= 1) return 0;
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(group, "utf8")) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % partitions;
}
