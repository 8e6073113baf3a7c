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
import { connect, createServer, type Server, type Socket } from "node:net";
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
 * - experimental-watch-progress-notify-interval 2s: progress notifications tell kvclient
 *   which revision a watch stream's member has reached, so it can replace a stream that is
 *   deaf or left behind (kvclient/etcd/watch.ts); the default (10 min) would leave such a
 *   stream unnoticed.
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
  /**
   * Cut `member` off from its peers while it keeps running and serving clients: nothing
   * its peers send reaches it (it still talks to them). Only with `peerProxies`.
   */
  isolate(member: EtcdMember): void;
  /** Undo isolate. */
  heal(member: EtcdMember): void;
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
  /**
   * Route the traffic each member receives from its peers through a proxy in this process,
   * so that isolate() can cut a member off from its cluster without stopping it. A member
   * cut off this way is the "alive but left behind" member that kvclient must survive: it
   * keeps answering clients at the revision it last applied.
   */
  peerProxies?: boolean;
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
  /** The peer URL port its peers dial: peerPort, or its proxy's port. */
  advertisedPeerPort: number;
  proxy: (PeerProxy & { sweep(): void }) | undefined;
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
  const isolatedIds = new Set<string>();
  for (let i = 0; i < n; i++) {
    const peerPort = await freePort();
    const proxy = opts.peerProxies
      ? await startPeerProxy(peerPort, (id) => isolatedIds.has(id), () => states[i]?.memberId ?? "")
      : undefined;
    states.push({
      name: `m${i}`,
      clientPort: await freePort(),
      peerPort,
      advertisedPeerPort: proxy?.port ?? peerPort,
      proxy,
      dataDir: join(dir, `m${i}.etcd`),
      proc: undefined,
      exited: Promise.resolve(),
      memberId: "",
      paused: false,
    });
  }
  const initialCluster = states.map((s) => `${s.name}=http://127.0.0.1:${s.advertisedPeerPort}`).join(",");
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
        `--initial-advertise-peer-urls=http://127.0.0.1:${s.advertisedPeerPort}`,
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
    peerUrl: `http://127.0.0.1:${s.advertisedPeerPort}`,
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
    isolate(m) {
      const s = stateOf(m);
      if (!s.proxy) throw new Error("isolate() needs a cluster started with peerProxies");
      if (!s.memberId) throw new Error(`member id of ${s.name} not known yet`);
      isolatedIds.add(s.memberId);
      for (const x of states) x.proxy?.sweep();
    },
    heal(m) {
      const s = stateOf(m);
      if (!s.proxy) throw new Error("heal() needs a cluster started with peerProxies");
      isolatedIds.delete(s.memberId);
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
      for (const s of states) s.proxy?.close();
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

interface PeerProxy {
  port: number;
  close(): void;
}

/**
 * A relay on 127.0.0.1 (a port the kernel picks) to a member's peer listener. It drops
 * traffic while the member, or the peer that sent the request, is isolated. Peer traffic
 * flows both ways over connections either side dials (etcd streams are GETs the receiver
 * opens, with POSTs as the fallback), so a member is cut off only if both what reaches it
 * and what it opens towards others are dropped; each peer request names its sender in
 * X-Server-From, which the relay reads before connecting.
 */
async function startPeerProxy(target: number, isolated: (memberId: string) => boolean, self: () => string): Promise<PeerProxy & { sweep(): void }> {
  const conns = new Set<{ inbound: Socket; outbound?: Socket; from?: string }>();
  const cutOff = (from: string | undefined) => isolated(self()) || (from !== undefined && isolated(from));
  const server: Server = createServer((inbound) => {
    const conn: { inbound: Socket; outbound?: Socket; from?: string } = { inbound };
    conns.add(conn);
    const drop = () => {
      conns.delete(conn);
      inbound.destroy();
      conn.outbound?.destroy();
    };
    inbound.on("error", drop);
    inbound.on("close", drop);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0 && head.length < 16 * 1024) return;
      inbound.off("data", onData);
      const m = /\r\nx-server-from: *([0-9a-f]+)/i.exec(head.subarray(0, end < 0 ? head.length : end).toString("latin1"));
      // etcd writes member ids in hex here; the harness knows them in decimal.
      conn.from = m ? BigInt(`0x${m[1]}`).toString() : undefined;
      if (cutOff(conn.from)) return drop();
      const outbound = connect(target, "127.0.0.1");
      conn.outbound = outbound;
      outbound.on("error", drop);
      outbound.on("close", drop);
      outbound.write(head);
      inbound.pipe(outbound);
      outbound.pipe(inbound);
    };
    inbound.on("data", onData);
  });
  server.unref();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const addr = server.address();
  return {
    port: typeof addr === "object" && addr ? addr.port : 0,
    /** Drop open connections that isolation now forbids. */
    sweep() {
      for (const c of [...conns]) if (cutOff(c.from)) {
        conns.delete(c);
        c.inbound.destroy();
        c.outbound?.destroy();
      }
    },
    close() {
      for (const c of conns) {
        c.inbound.destroy();
        c.outbound?.destroy();
      }
      conns.clear();
      server.close();
    },
  };
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
