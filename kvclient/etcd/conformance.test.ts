// The shared Store conformance suite against a real 3-member etcd cluster.

import { randomUUID } from "node:crypto";
import { Registry } from "prom-client";
import { runStoreCases } from "../common.case.ts";
import { startEtcdCluster, type EtcdCluster } from "../testing/etcd-cluster.ts";
import type { Store } from "../store.ts";
import { openEtcdStore } from "./store.ts";

const registry = new Registry();
let cluster: EtcdCluster | undefined;
const opened: Store[] = [];
const prefixOf = new Map<Store, Uint8Array>();

async function openWith(prefix: Uint8Array): Promise<Store> {
  cluster ??= await startEtcdCluster();
  const store = await openEtcdStore({ endpoints: cluster.endpoints, registry, prefix });
  opened.push(store);
  prefixOf.set(store, prefix);
  return store;
}

runStoreCases("etcd", () => ({
  // Each store gets its own namespace, so "a fresh, empty store" holds on one shared cluster.
  open: () => openWith(new TextEncoder().encode(`conf-${randomUUID()}/`)),
  openSecond: (first) => openWith(prefixOf.get(first)!),
  async cleanup() {
    await Promise.allSettled(opened.splice(0).map((s) => s.close()));
    await cluster?.close();
    cluster = undefined;
  },
}));
