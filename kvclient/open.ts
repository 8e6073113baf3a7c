// One way to open a store from configuration, whichever backend.

import type { Registry } from "prom-client";
import type { Store } from "./store.ts";
import { openEmbeddedStore } from "./embedded/store.ts";
import { openEtcdStore } from "./etcd/store.ts";

export type StoreConfig =
  | { backend: "embedded"; dataDir: string; registry?: Registry }
  | { backend: "etcd"; endpoints: string[]; registry?: Registry };

export function openStore(config: StoreConfig): Promise<Store> {
  return config.backend === "embedded"
    ? openEmbeddedStore({ path: config.dataDir, registry: config.registry })
    : openEtcdStore({ endpoints: config.endpoints, registry: config.registry });
}
