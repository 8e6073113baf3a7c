// Reading a batch of message records inside one transaction.

import type { Txn } from "../../kvclient/store.ts";

/**
 * Read several keys through a transaction: the first alone, then the rest in parallel.
 * On etcd the first read pins the transaction's snapshot revision, so the others are
 * served at that revision without a quorum round each (reads issued together before any
 * answer are each linearizable), and no more than 10 calls wait on the transaction's
 * signal at once. On the embedded store reads are synchronous, so this costs nothing.
 */
export async function readKeys(txn: Txn, keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
  if (keys.length === 0) return [];
  const first = await txn.get(keys[0]!);
  const rest = await Promise.all(keys.slice(1).map((k) => txn.get(k)));
  return [first, ...rest];
}
