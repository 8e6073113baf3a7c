// One way to open a store from configuration, whichever backend.

import type { Registry } from "prom-client";
import type { Store } from "./store.ts";
import { openEmbeddedStore } from "./embedded/store.ts";

export type StoreConfig =
  | { backend: "embedded"; dataDir: string; registry?: Registry }
  | { backend: "etcd"; endpoints: string[]; registry?: Registry };

export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.backend === "embedded") return openEmbeddedStore({ path: config.dataDir, registry: config.registry });
  // Loaded only for etcd: etcd3 with gRPC and protobufjs is ~6 MB of live heap, which an
  // embedded gateway would otherwise carry through every major GC.
  const { openEtcdStore } = await import("./etcd/store.ts");
  return openEtcdStore({ endpoints: config.endpoints, registry: config.registry });
}
