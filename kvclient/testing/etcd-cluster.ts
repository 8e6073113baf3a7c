// A real N-member etcd cluster on 127.0.0.1 for tests and benchmarks.
//
// Each test file starts its own cluster (no vitest globalSetup), so a file can kill, pause
// and restart members without disturbing other files:
//
//   let cluster: EtcdCluster;
//   beforeAll(async () => { cluster = await startEtcdCluster(); });
//   afterAll(async () => { await cluster?.close(); });
//
// vitest runs afterAll even when tests fail or time out. If the test process itself dies
// (crash, SIGKILL of the worker), a per-cluster watchdog shell notices that its parent pid
// is gone, SIGKILLs every member recorded under the cluster's temp dir and removes the dir;
// an `exit` hook covers the ordinary exit paths synchronously.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, openSync, closeSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Etcd3 } from "etcd3";
import { noop } from "cockatiel";

/**
 * The etcd flags the gateway needs (quoted in the README). Why each:
 * - max-txn-ops 1024: one commit carries a read set (one compare per key read) plus its
 *   writes; DynamoDB TransactWriteItems (100 items, each with index entries) and S3
 *   multipart completion need far more than etcd's default of 128.
 * - max-request-bytes 10 MiB: S3 stores object bodies as chunks of a few MiB and a
 *   DynamoDB transaction can carry many 400 KB items; the default is 1.5 MiB.
 * - quota-backend-bytes 8 GiB: etcd's documented maximum recommended size; the default
 *   2 GiB fills quickly with object chunks.
 * - auto-compaction periodic 1m: etcd keeps every old revision until compacted (the
 *   default never compacts), so churned chunks and messages would fill the quota. One
 *   minute of history comfortably outlives any kvclient transaction (10 s bound) and watch
 *   reconnect gap; a transaction whose pinned revision was compacted simply retries.
 * - experimental-watch-progress-notify-interval 2s: progress notifications let kvclient
 *   tell a live but silent watch stream from a deaf one and replace the latter
 *   (kvclient/etcd/watch.ts); the default (10 min) would leave a deaf stream unnoticed.
 * Heartbeat and election timeouts stay at etcd's defaults (100 ms / 1000 ms): this machine
 * is 2 cores shared by many processes, and shorter timeouts cause spurious elections under
 * load, which would make failover tests flaky rather than faster.
 */
export const ETCD_GATEWAY_FLAGS: readonly string[] = [
  "--max-txn-ops=1024",
  "--max-request-bytes=10485760",
  "--quota-backend-bytes=8589934592",
  "--auto-compaction-mode=periodic",
  "--auto-compaction-retention=1m",
  "--experimental-watch-progress-notify-interval=2s",
];

/** Defaults kvclient's etcd store assumes; they match ETCD_GATEWAY_FLAGS. */
export const ETCD_MAX_TXN_OPS = 1024;
export const ETCD_MAX_REQUEST_BYTES = 10 * 1024 * 1024;

export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  /** Current OS pid (changes on restart). */
  readonly pid: number;
  /** Raft member id as a decimal string, as etcd3's status() reports it. */
  readonly memberId: string;
  /** Whether the process is currently running (possibly paused). */
  readonly running: boolean;
  readonly paused: boolean;
}

export interface EtcdCluster {
  readonly endpoints: string[];
  readonly members: readonly EtcdMember[];
  /** Temp dir holding data dirs and logs (removed by close). */
  readonly dir: string;
  /** The member every live member agrees is leader (waits up to timeoutMs, default 15 s). */
  leader(timeoutMs?: number): Promise<EtcdMember>;
  /** Send `signal` and wait for the process to exit. */
  kill(member: EtcdMember, signal?: "SIGKILL" | "SIGTERM"): Promise<void>;
  /** Graceful stop: SIGTERM, SIGKILL after a short grace. */
  stop(member: EtcdMember): Promise<void>;
  pause(member: EtcdMember): void;
  resume(member: EtcdMember): void;
  /** Stop (if running) and start again on the same ports and data dir. */
  restart(member: EtcdMember): Promise<void>;
  waitForLeader(timeoutMs?: number): Promise<EtcdMember>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Default 3. */
  members?: number;
  /** Extra etcd flags appended to ETCD_GATEWAY_FLAGS. */
  extraFlags?: string[];
  /** How long to wait for the first leader (default 30 s). */
  startTimeoutMs?: number;
}

const STOP_GRACE_MS = 1_500;
const live = new Set<MemberState>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const m of live) {
      try {
        if (m.proc?.pid) process.kill(m.proc.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  });
}

interface MemberState {
  name: string;
  clientPort: number;
  peerPort: number;
  dataDir: string;
  proc: ChildProcess | undefined;
  exited: Promise<void>;
  memberId: string;
  paused: boolean;
}

export async function startEtcdCluster(opts: StartOptions = {}): Promise<EtcdCluster> {
  // Ports come from the kernel and are released before etcd binds them; another process
  // can take one in between, so a failed start retries with fresh ports.
  let lastErr: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      lastErr = err;
    }
  }
  throw lastErr;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function startOnce(opts: StartOptions): Promise<EtcdCluster> {
  installExitHook();
  const n = opts.members ?? 3;
  const dir = mkdtempSync(join(tmpdir(), "kv-etcd-"));
  mkdirSync(join(dir, "pids"));
  const token = `kvtest-${process.pid}-${Date.now()}`;
  const states: MemberState[] = [];
  for (let i = 0; i < n; i++) {
    states.push({
      name: `m${i}`,
      clientPort: await freePort(),
      peerPort: await freePort(),
      dataDir: join(dir, `m${i}.etcd`),
      proc: undefined,
      exited: Promise.resolve(),
      memberId: "",
      paused: false,
    });
  }
  const initialCluster = states.map((s) => `${s.name}=http://127.0.0.1:${s.peerPort}`).join(",");
  const extra = opts.extraFlags ?? [];

  const watchdog = spawnWatchdog(dir);

  const launch = (s: MemberState) => {
    const log = openSync(join(dir, `${s.name}.log`), "a");
    const proc = spawn(
      "etcd",
      [
        `--name=${s.name}`,
        `--data-dir=${s.dataDir}`,
        `--listen-client-urls=http://127.0.0.1:${s.clientPort}`,
        `--advertise-client-urls=http://127.0.0.1:${s.clientPort}`,
        `--listen-peer-urls=http://127.0.0.1:${s.peerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${s.peerPort}`,
        `--initial-cluster=${initialCluster}`,
        `--initial-cluster-token=${token}`,
        "--initial-cluster-state=new",
        "--logger=zap",
        "--log-level=warn",
        ...ETCD_GATEWAY_FLAGS,
        ...extra,
      ],
      { stdio: ["ignore", log, log] },
    );
    closeSync(log);
    s.proc = proc;
    s.paused = false;
    s.exited = new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve();
      else proc.once("exit", () => resolve());
    });
    proc.once("exit", () => {
      live.delete(s);
      // A stale pid file could make the watchdog kill an unrelated process that reused the pid.
      rmSync(join(dir, "pids", s.name), { force: true });
    });
    // A spawn failure (no etcd on PATH) must reject the start, not crash the process.
    proc.on("error", () => {});
    live.add(s);
    if (proc.pid) writeFileSync(join(dir, "pids", s.name), String(proc.pid));
  };

  const isRunning = (s: MemberState) => !!s.proc && s.proc.exitCode === null && s.proc.signalCode === null;

  const terminate = async (s: MemberState, signal: NodeJS.Signals, graceMs: number) => {
    const proc = s.proc;
    if (!proc || !isRunning(s)) return;
    try {
      // A stopped process cannot act on SIGTERM; wake it first.
      if (s.paused) proc.kill("SIGCONT");
      s.paused = false;
      proc.kill(signal);
    } catch {
      // already gone
    }
    const timer = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs).unref());
    if ((await Promise.race([s.exited, timer])) === "timeout") {
      try {
        proc.kill("SIGKILL");
      } catch {
        // already gone
      }
      await s.exited;
    }
  };

  const client = (s: MemberState) =>
    new Etcd3({
      hosts: `http://127.0.0.1:${s.clientPort}`,
      faultHandling: { host: () => noop, global: noop },
    });

  const status = async (s: MemberState, timeoutMs: number) => {
    const c = client(s);
    try {
      return await c.maintenance.status({ deadline: Date.now() + timeoutMs });
    } finally {
      c.close();
    }
  };

  const view = (s: MemberState): EtcdMember => ({
    name: s.name,
    clientUrl: `http://127.0.0.1:${s.clientPort}`,
    peerUrl: `http://127.0.0.1:${s.peerPort}`,
    get pid() {
      return s.proc?.pid ?? 0;
    },
    get memberId() {
      return s.memberId;
    },
    get running() {
      return isRunning(s);
    },
    get paused() {
      return s.paused;
    },
  });
  const views = states.map(view);
  const stateOf = (m: EtcdMember): MemberState => {
    const s = states.find((x) => x.name === m.name);
    if (!s) throw new Error(`unknown member ${m.name}`);
    return s;
  };

  const waitForLeader = async (timeoutMs = 15_000): Promise<EtcdMember> => {
    const until = Date.now() + timeoutMs;
    let last = "no member answered";
    while (Date.now() < until) {
      const candidates = states.filter((s) => isRunning(s) && !s.paused);
      const answers = await Promise.all(candidates.map((s) => status(s, 1_000).then((r) => ({ s, r }), () => undefined)));
      const ok = answers.filter((a) => a !== undefined);
      for (const a of ok) a.s.memberId = a.r.header.member_id;
      const leaders = new Set(ok.map((a) => a.r.leader));
      if (ok.length === candidates.length && ok.length > 0 && leaders.size === 1) {
        const leaderId = [...leaders][0];
        const leader = states.find((s) => s.memberId === leaderId && isRunning(s) && !s.paused);
        if (leaderId !== "0" && leader) return views[states.indexOf(leader)]!;
      }
      last = `answers ${ok.length}/${candidates.length}, leaders ${[...leaders].join(",") || "none"}`;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`etcd cluster has no agreed leader after ${timeoutMs} ms (${last}); logs in ${dir}`);
  };

  let closed = false;
  const cluster: EtcdCluster = {
    endpoints: states.map((s) => `http://127.0.0.1:${s.clientPort}`),
    members: views,
    dir,
    leader: (timeoutMs) => waitForLeader(timeoutMs),
    waitForLeader,
    async kill(m, signal = "SIGKILL") {
      await terminate(stateOf(m), signal, signal === "SIGKILL" ? 5_000 : STOP_GRACE_MS);
    },
    async stop(m) {
      await terminate(stateOf(m), "SIGTERM", STOP_GRACE_MS);
    },
    pause(m) {
      const s = stateOf(m);
      if (isRunning(s)) {
        s.proc!.kill("SIGSTOP");
        s.paused = true;
      }
    },
    resume(m) {
      const s = stateOf(m);
      if (isRunning(s)) s.proc!.kill("SIGCONT");
      s.paused = false;
    },
    async restart(m) {
      const s = stateOf(m);
      await terminate(s, "SIGTERM", STOP_GRACE_MS);
      // An existing data dir makes etcd rejoin from its WAL; the initial-cluster flags are ignored.
      launch(s);
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(states.map((s) => terminate(s, "SIGTERM", STOP_GRACE_MS)));
      try {
        watchdog.kill("SIGKILL");
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    for (const s of states) launch(s);
    await Promise.race([
      waitForLeader(opts.startTimeoutMs ?? 30_000),
      ...states.map((s) =>
        s.exited.then(() => {
          throw new Error(`etcd member ${s.name} exited during start: ${tail(join(dir, `${s.name}.log`))}`);
        }),
      ),
    ]);
    return cluster;
  } catch (err) {
    await cluster.close();
    throw err;
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").slice(-800);
  } catch {
    return "(no log)";
  }
}

/**
 * A shell that outlives a crashed test process: once our pid is gone it SIGKILLs every
 * member pid recorded under `dir/pids` and removes `dir`.
 */
function spawnWatchdog(dir: string): ChildProcess {
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; for f in "${dir}"/pids/*; do kill -CONT $(cat "$f") 2>/dev/null; kill -9 $(cat "$f") 2>/dev/null; done; rm -rf "${dir}"`;
  const p = spawn("sh", ["-c", script], { stdio: "ignore", detached: true });
  p.unref();
  p.on("error", () => {});
  return p;
}
