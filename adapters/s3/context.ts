// What every S3 operation works with.

import type { Logger } from "pino";
import type { Store } from "../../kvclient/store.ts";
import type { S3Options } from "./config.ts";

export interface S3Context {
  store: Store;
  options: S3Options;
  region: string;
  /** The account every bucket belongs to (x-amz-expected-bucket-owner is checked against it). */
  accountId: string;
  logger: Logger;
  /** Chunk size actually used: the configured size, shrunk to fit the store's limits. */
  chunkBytes: number;
}

/** Room left in a value or a commit for keys, the lease entry and encoding overhead. */
const CHUNK_HEADROOM = 8 * 1024;

export function effectiveChunkBytes(store: Store, configured: number): number {
  const preferred = configured > 0 ? configured : store.backend === "embedded" ? 2 * 1024 * 1024 : 1024 * 1024;
  const { maxValueBytes, maxRequestBytes } = store.limits;
  const fit = Math.min(maxValueBytes, maxRequestBytes) - CHUNK_HEADROOM;
  return Math.max(4 * 1024, Math.min(preferred, fit));
}
