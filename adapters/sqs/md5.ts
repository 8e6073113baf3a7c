// The digests SDKs verify: MD5 of the body, and SQS's length-prefixed MD5 over message
// (or system) attributes, sorted by name. Binary values are carried base64-encoded.

import { createHash, hash } from "node:crypto";
import type { MessageAttributeValue } from "./model.ts";

/** One-shot crypto.hash: about half the cost of a createHash object per message body. */
export function md5Hex(text: string): string {
  return hash("md5", text, "hex");
}

const TRANSPORT_STRING = 1;
const TRANSPORT_BINARY = 2;
const TRANSPORT_STRING_LIST = 3;
const TRANSPORT_BINARY_LIST = 4;

function lengthPrefixed(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + bytes.length);
  out.writeUInt32BE(bytes.length, 0);
  out.set(bytes, 4);
  return out;
}

/** MD5 over attributes as SQS defines it; undefined when there are none. */
export function md5OfAttributes(attrs: Record<string, MessageAttributeValue> | undefined): string | undefined {
  if (!attrs) return undefined;
  const names = Object.keys(attrs).sort();
  if (names.length === 0) return undefined;
  const hash = createHash("md5");
  for (const name of names) {
    const v = attrs[name]!;
    hash.update(lengthPrefixed(Buffer.from(name, "utf8")));
    hash.update(lengthPrefixed(Buffer.from(v.DataType, "utf8")));
    if (v.StringValue !== undefined) {
      hash.update(Buffer.from([TRANSPORT_STRING]));
      hash.update(lengthPrefixed(Buffer.from(v.StringValue, "utf8")));
    } else if (v.BinaryValue !== undefined) {
      hash.update(Buffer.from([TRANSPORT_BINARY]));
      hash.update(lengthPrefixed(Buffer.from(v.BinaryValue, "base64")));
    } else if (v.StringListValues !== undefined) {
      hash.update(Buffer.from([TRANSPORT_STRING_LIST]));
      for (const s of v.StringListValues) hash.update(lengthPrefixed(Buffer.from(s, "utf8")));
    } else if (v.BinaryListValues !== undefined) {
      hash.update(Buffer.from([TRANSPORT_BINARY_LIST]));
      for (const b of v.BinaryListValues) hash.update(lengthPrefixed(Buffer.from(b, "base64")));
    }
  }
  return hash.digest("hex");
}
