// Group commit for blind writes (standard-queue sends read nothing, so they cannot
// conflict): while one transaction commits, later requests' writes queue up and go out
// together in the next one. Under load, one durable commit carries many requests'
// messages instead of one each.
//
// A commit starts on the next setImmediate, not at once: every request Node read in the
// same I/O phase joins it. The embedded store starts its lmdb write at setImmediate
// anyway, so this costs no latency there; on a loaded gateway it is what makes batches
// large. A durable commit has a large fixed cost: on the embedded store, one put per
// commit cost ~420 µs of CPU (lmdb write, fsync, worker hand-off), against ~27 µs per put
// with 128 puts in flight.

import type { Store } from "../../kvclient/store.ts";

type Put = readonly [key: Uint8Array, value: Uint8Array];

interface Pending {
  puts: readonly Put[];
  bytes: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class WriteBatcher {
  private readonly queue: Pending[] = [];
  private draining = false;

  constructor(
    private readonly store: Store,
    private readonly family: string,
  ) {}

  write(puts: readonly Put[]): Promise<void> {
    let bytes = 0;
    for (const [k, v] of puts) bytes += k.length + v.length;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ puts, bytes, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.take();
        try {
          await this.store.transact(
            async (txn) => {
              for (const p of batch) for (const [k, v] of p.puts) txn.put(k, v);
            },
            { family: this.family },
          );
          for (const p of batch) p.resolve();
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** As many queued requests as fit in half the store's per-commit limits (at least one). */
  private take(): Pending[] {
    const maxOps = Math.max(1, Math.floor(this.store.limits.maxTxnOps / 2));
    const maxBytes = Math.floor(this.store.limits.maxRequestBytes / 2);
    let ops = 0;
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length) {
      const p = this.queue[n]!;
      if (n > 0 && (ops + p.puts.length > maxOps || bytes + p.bytes > maxBytes)) break;
      ops += p.puts.length;
      bytes += p.bytes;
      n++;
    }
    return this.queue.splice(0, n);
  }
}
