// `npm run bench:kv [-- --seconds S --rounds N --max-ops M --only etcd|embedded --op get,put,rmw,put4k --concurrency 1,64]`
//
// kvclient's own cost: ops/s, p50 and p99 of get, put (and, on request, put4k) and a 2-key read-modify-write
// transaction at 1 and 64 in flight, for the embedded and etcd backends, and beside etcd the
// raw etcd3 client doing the same operations in the same run (the ceiling). Cells run
// interleaved (raw, kvclient, raw, kvclient, ...) so drift on a shared machine hits both
// alike; each figure is the median over rounds. A script, not a test: it prints numbers.
//
// Every cell is bounded by time and by count. It starts its own 3-member etcd cluster and
// stops it.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Etcd3 } from "etcd3";
import { Registry } from "prom-client";
import { startEtcdCluster, type EtcdCluster } from "../kvclient/testing/etcd-cluster.ts";
import { openEtcdStore } from "../kvclient/etcd/store.ts";
import { openEmbeddedStore } from "../kvclient/embedded/store.ts";
import type { Store } from "../kvclient/store.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    seconds: { type: "string", default: "3" },
    rounds: { type: "string", default: "3" },
    "max-ops": { type: "string", default: "200000" },
    only: { type: "string" },
    op: { type: "string" },
    concurrency: { type: "string" },
  },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const MAX_OPS = Number(values["max-ops"]);
const CONCURRENCY = values.concurrency ? values.concurrency.split(",").map(Number) : [1, 64];
const OPS = (values.op ? values.op.split(",") : ["get", "put", "rmw"]) as OpName[];
const KEYS = 1_000;
const VALUE = new Uint8Array(128).fill(97);
// put4k: 4 KiB values overwritten across 32k keys (128 MiB live), whatever the concurrency:
// values over ~2 KB leave lmdb's leaf pages, and a large store is where that costs.
const VALUE_4K = new Uint8Array(4096).fill(98);
const KEYS_4K = 32_768;

type OpName = "get" | "put" | "rmw" | "put4k";
/** One operation by worker `w`, its `i`-th. */
type Op = (w: number, i: number) => Promise<void>;
type Ops = Record<OpName, Op>;

interface Sample {
  opsPerSec: number;
  p50: number;
  p99: number;
  errors: number;
}

const enc = new TextEncoder();
const key = (s: string) => enc.encode(s);

async function measure(op: Op, concurrency: number): Promise<Sample> {
  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  const until = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; performance.now() < until && issued < MAX_OPS; i++) {
        issued++;
        const s = performance.now();
        try {
          await op(w, i);
          latencies.push(performance.now() - s);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { opsPerSec: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), errors };
}

function storeOps(store: Store): Ops {
  return {
    get: async (_w, i) => {
      await store.get(key(`get/${i % KEYS}`));
    },
    put: async (w, i) => {
      await store.transact(async (t) => t.put(key(`put/${w}/${i % KEYS}`), VALUE));
    },
    put4k: async (w, i) => {
      await store.transact(async (t) => t.put(key(`put4k/${(w * 7919 + i) % KEYS_4K}`), VALUE_4K));
    },
    rmw: async (w) => {
      await store.transact(
        async (t) => {
          const a = Number(new TextDecoder().decode((await t.get(key(`rmw/${w}/a`))) ?? key("0")));
          const b = Number(new TextDecoder().decode((await t.get(key(`rmw/${w}/b`))) ?? key("0")));
          t.put(key(`rmw/${w}/a`), key(String(a + 1)));
          t.put(key(`rmw/${w}/b`), key(String(b - 1)));
        },
        { family: "bench.rmw" },
      );
    },
  };
}

/** The same operations written directly against etcd3, as its README shows. */
function rawOps(client: Etcd3, prefix: string): Ops {
  const k = (s: string) => `${prefix}${s}`;
  const value = Buffer.from(VALUE);
  return {
    get: async (_w, i) => {
      await client.get(k(`get/${i % KEYS}`)).buffer();
    },
    put: async (w, i) => {
      await client.put(k(`put/${w}/${i % KEYS}`)).value(value);
    },
    put4k: async (w, i) => {
      await client.put(k(`put4k/${(w * 7919 + i) % KEYS_4K}`)).value(Buffer.from(VALUE_4K));
    },
    rmw: async (w) => {
      for (let attempt = 0; attempt < 8; attempt++) {
        const ka = k(`rmw/${w}/a`);
        const kb = k(`rmw/${w}/b`);
        const ra = await client.get(ka).exec();
        const rb = await client.get(kb).exec();
        const a = ra.kvs[0];
        const b = rb.kvs[0];
        const res = await client
          .if(ka, "Mod", "==", a ? a.mod_revision : "0")
          .and(kb, "Mod", "==", b ? b.mod_revision : "0")
          .then(
            client.put(ka).value(String(Number(a?.value.toString() ?? "0") + 1)),
            client.put(kb).value(String(Number(b?.value.toString() ?? "0") - 1)),
          )
          .commit();
        if (res.succeeded) return;
      }
      throw new Error("raw rmw: too many conflicts");
    },
  };
}

async function seed(store: Store): Promise<void> {
  for (let i = 0; i < KEYS; i += 500) {
    await store.transact(async (t) => {
      for (let j = i; j < Math.min(KEYS, i + 500); j++) t.put(key(`get/${j}`), VALUE);
    });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

interface Row {
  system: string;
  op: OpName;
  concurrency: number;
  samples: Sample[];
}

function summarize(r: Row) {
  return {
    opsPerSec: median(r.samples.map((s) => s.opsPerSec)),
    p50: median(r.samples.map((s) => s.p50)),
    p99: median(r.samples.map((s) => s.p99)),
    errors: r.samples.reduce((n, s) => n + s.errors, 0),
  };
}

function print(rows: Row[], baseline: Record<string, string>): void {
  const head = ["system", "op", "in flight", "ops/s", "p50 ms", "p99 ms", "errors", "ratio vs raw"];
  const lines = [head, head.map(() => "---")];
  for (const r of rows) {
    const s = summarize(r);
    const base = baseline[r.system] ? rows.find((x) => x.system === baseline[r.system] && x.op === r.op && x.concurrency === r.concurrency) : undefined;
    const ratio = base ? (s.opsPerSec / summarize(base).opsPerSec).toFixed(2) : "";
    lines.push([r.system, r.op, String(r.concurrency), s.opsPerSec.toFixed(0), s.p50.toFixed(2), s.p99.toFixed(2), String(s.errors), ratio]);
  }
  for (const l of lines) console.log(`| ${l.join(" | ")} |`);
}

async function benchEtcd(rows: Row[]): Promise<void> {
  let cluster: EtcdCluster | undefined;
  const raw: Etcd3[] = [];
  const stores: Store[] = [];
  try {
    cluster = await startEtcdCluster();
    const prefix = `bench-${Date.now()}/`;
    const store = await openEtcdStore({ endpoints: cluster.endpoints, prefix: key(prefix), registry: new Registry() });
    stores.push(store);
    await seed(store);
    const client = new Etcd3({ hosts: cluster.endpoints });
    raw.push(client);
    const systems: [string, Ops][] = [
      ["raw etcd3", rawOps(client, prefix)],
      ["kvclient etcd", storeOps(store)],
    ];
    for (const op of OPS) {
      for (const c of CONCURRENCY) {
        const cell = systems.map(([system]) => ({ system, op, concurrency: c, samples: [] as Sample[] }));
        rows.push(...cell);
        // Warm connections and JIT for this op before measuring.
        for (const [, ops] of systems) await Promise.all(Array.from({ length: c }, (_, w) => ops[op](w, 0)));
        for (let round = 0; round < ROUNDS; round++) {
          for (const [idx, [system, ops]] of systems.entries()) {
            const s = await measure(ops[op], c);
            cell[idx]!.samples.push(s);
            console.error(`${system} ${op} x${c} round ${round + 1}: ${s.opsPerSec.toFixed(0)} ops/s p50 ${s.p50.toFixed(2)} ms p99 ${s.p99.toFixed(2)} ms${s.errors ? ` errors ${s.errors}` : ""}`);
          }
        }
      }
    }
  } finally {
    for (const c of raw) c.close();
    await Promise.allSettled(stores.map((s) => s.close()));
    await cluster?.close();
  }
}

async function benchEmbedded(rows: Row[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "kv-bench-embedded-"));
  const store = await openEmbeddedStore({ path: dir, registry: new Registry() });
  try {
    await seed(store);
    const ops = storeOps(store);
    for (const op of OPS) {
      for (const c of CONCURRENCY) {
        const row: Row = { system: "kvclient embedded", op, concurrency: c, samples: [] };
        rows.push(row);
        await Promise.all(Array.from({ length: c }, (_, w) => ops[op](w, 0)));
        for (let round = 0; round < ROUNDS; round++) {
          const s = await measure(ops[op], c);
          row.samples.push(s);
          console.error(`embedded ${op} x${c} round ${round + 1}: ${s.opsPerSec.toFixed(0)} ops/s`);
        }
      }
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
if (values.only !== "embedded") await benchEtcd(rows);
if (values.only !== "etcd") await benchEmbedded(rows);
console.log(`\nbench:kv — ${SECONDS}s per cell, median of ${ROUNDS} rounds, 128-byte values, ${new Date().toISOString()}\n`);
print(rows, { "kvclient etcd": "raw etcd3" });
process.exit(0);
