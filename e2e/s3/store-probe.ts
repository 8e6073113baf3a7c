// Looks into the gateway's store from the test process: how many chunks exist, and what
// is queued for GC. Keys come from the adapter's own keyspace file.

import { Registry } from "prom-client";
import { openEmbeddedStore } from "../../kvclient/embedded/store.ts";
import { openEtcdStore } from "../../kvclient/etcd/store.ts";
import type { Store } from "../../kvclient/store.ts";
import { keys } from "../../adapters/s3/keyspace.ts";
import type { E2EContext } from "../harness/both-backends.ts";

export async function withStore<T>(c: E2EContext, fn: (s: Store) => Promise<T>): Promise<T> {
  const registry = new Registry();
  const store = c.backend === "embedded"
    ? await openEmbeddedStore({ path: c.gateway.dataDir!, registry })
    : await openEtcdStore({ endpoints: c.cluster!.endpoints, registry });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export interface StoreCounts {
  chunks: number;
  gcEntries: number;
  uploads: number;
}

export function counts(c: E2EContext): Promise<StoreCounts> {
  return withStore(c, async (s) => ({
    chunks: await s.count(keys.allChunks()),
    gcEntries: await s.count(keys.gcRange()),
    uploads: await s.count(keys.allUploads()),
  }));
}

/** Poll until `pred` holds (or time runs out); returns the last counts. */
export async function waitForCounts(c: E2EContext, pred: (n: StoreCounts) => boolean, timeoutMs = 20_000): Promise<StoreCounts> {
  const end = Date.now() + timeoutMs;
  let last = await counts(c);
  while (!pred(last) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 250));
    last = await counts(c);
  }
  return last;
}
