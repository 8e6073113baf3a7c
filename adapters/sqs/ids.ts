// Identifiers minted by the adapter: time-ordered message ids, receipt handles, and the
// stable hash that maps a FIFO message group onto a partition.

import { randomUUID } from "node:crypto";
import { randomStrings } from "../aws/random-strings.ts";

/**
 * A UUIDv7: the ms timestamp leads, so message keys scan oldest first. The random part
 * comes from randomUUID (a v4, whose variant bits are already right): Node serves it from
 * a pre-filled entropy cache, where randomBytes(16) cost a CSPRNG call per message.
 */
export function newMessageId(now = Date.now()): string {
  const ts = now.toString(16).padStart(12, "0");
  // v4 layout: xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx; keep its last 74 random bits.
  const r = randomUUID();
  return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${r.slice(15)}`;
}

/** The send time a UUIDv7 message id carries. */
export function messageIdTime(id: string): number {
  return parseInt(id.replace(/-/g, "").slice(0, 12), 16);
}

/** A receipt handle's nonce: 6 random bytes, base64url (8 characters). */
export const newNonce: () => string = randomStrings(6, "base64url", 512);

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
