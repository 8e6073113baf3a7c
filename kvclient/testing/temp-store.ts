// A real embedded store in a fresh temporary directory, for unit tests of code that runs
// on a Store (adapters' harnesses and storage tests): no mocks, nothing left behind.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { openEmbeddedStore } from "../embedded/store.ts";
import type { Store } from "../store.ts";

export interface TempStore {
  store: Store;
  /** Close the store and delete its directory. */
  dispose(): Promise<void>;
}

/** `name` prefixes the directory; `registry` receives the store's metrics. */
export async function openTempStore(name: string, registry = new Registry()): Promise<TempStore> {
  const dir = await mkdtemp(join(tmpdir(), `${name}-`));
  const store = await openEmbeddedStore({ path: dir, registry });
  return {
    store,
    async dispose() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
