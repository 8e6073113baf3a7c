// A store-held lease: at most one gateway process holds a role at a time (the depth
// emitter, the reaper). The holder renews before expiry; a crashed holder's lease lapses.

import { randomBytes } from "node:crypto";
import type { Store } from "../../kvclient/store.ts";
import { decodeJson, encodeJson, leaseKey } from "./keyspace.ts";

interface LeaseRecord {
  owner: string;
  expires: number;
}

export const PROCESS_ID = `${process.pid}-${randomBytes(4).toString("hex")}`;

/** Take or renew `role` for `ttlMs`; true when this process holds it afterwards. */
export async function holdLease(store: Store, role: string, ttlMs: number, signal: AbortSignal, owner = PROCESS_ID): Promise<boolean> {
  return store.transact(
    async (txn) => {
      const now = Date.now();
      const raw = await txn.get(leaseKey(role));
      const cur = raw ? decodeJson<LeaseRecord>(raw) : undefined;
      if (cur && cur.owner !== owner && cur.expires > now) return false;
      txn.put(leaseKey(role), encodeJson({ owner, expires: now + ttlMs } satisfies LeaseRecord));
      return true;
    },
    { signal, family: "sqs.lease", maxAttempts: 3 },
  );
}
