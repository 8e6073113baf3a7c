// Systems under test: each is a process on 127.0.0.1 with a URL and a pid to read CPU
// from. Everything started is stopped by pid (SIGTERM, then SIGKILL).

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { startGateway, type GatewayOptions } from "../../e2e/harness/gateway.ts";
import { startEtcdCluster } from "../../kvclient/testing/etcd-cluster.ts";
import { ROOT, BENCH_DIR } from "./paths.ts";

export interface SystemUnderTest {
  name: string;
  url: string;
  /** The process whose CPU is measured (with its descendants). */
  pid: number;
  /** Credentials it accepts (peers that check no signatures accept these too). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

const LOCAL = { accessKeyId: "test", secretAccessKey: "test" };

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of live) c.kill("SIGKILL");
});

/** Spawn a process and wait for a stdout line matching `ready`; returns the match. */
export async function spawnReady(name: string, cmd: string, args: string[], ready: RegExp, env: Record<string, string> = {}): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  child.once("exit", () => live.delete(child));
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const lines = createInterface({ input: child.stdout! });
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} not ready in 60 s: ${stderr}`)), 60_000);
    child.once("exit", (code) => reject(new Error(`${name} exited (${code}): ${stderr}`)));
    lines.on("line", (line) => {
      const m = ready.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
  });
  child.stdout!.resume();
  return { child, match };
}

export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await done;
  clearTimeout(t);
}

export async function startBareHono(): Promise<SystemUnderTest> {
  const { child, match } = await spawnReady("bare-hono", process.execPath, ["--import", "tsx", join(BENCH_DIR, "peers", "bare-hono.ts")], /^port (\d+)$/);
  return { name: "bare Hono no-op", url: `http://127.0.0.1:${match[1]}`, pid: child.pid!, credentials: LOCAL, stop: () => stopChild(child) };
}

/** The gateway as users run it: info-level request logs included (written to its log file). */
export async function startGatewaySystem(name: string, opts: GatewayOptions): Promise<SystemUnderTest> {
  const gw = await startGateway({ logLevel: "info", ...opts });
  return { name, url: gw.endpoint, pid: gw.pid, credentials: gw.credentials, stop: () => gw.stop() };
}

/**
 * The gateway on a fresh 3-member etcd cluster on loopback. Only the gateway's CPU is
 * reported; the members share the same 2 cores, which the figures reflect.
 */
export async function startGatewayOnEtcd(name = "gateway (etcd ×3)"): Promise<SystemUnderTest> {
  const cluster = await startEtcdCluster();
  try {
    const gw = await startGatewaySystem(name, { backend: "etcd", etcdEndpoints: cluster.endpoints });
    return { ...gw, stop: async () => {
      await gw.stop();
      await cluster.close();
    } };
  } catch (err) {
    await cluster.close();
    throw err;
  }
}

export const startGatewayEmbedded = () => startGatewaySystem("gateway (embedded)", { backend: "embedded" });

/** A free TCP port on 127.0.0.1 (for peers that cannot listen on port 0 and report it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** Spawn a peer on a known port and wait until it accepts connections. */
export async function startPeer(name: string, cmd: string, args: string[], port: number, env: Record<string, string> = {}): Promise<SystemUnderTest> {
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  live.add(child);
  child.once("exit", () => live.delete(child));
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const deadline = Date.now() + 60_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}): ${stderr}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${name} did not listen on ${port} in 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { name, url: `http://127.0.0.1:${port}`, pid: child.pid!, credentials: LOCAL, stop: () => stopChild(child) };
}

const bin = (name: string) => join(ROOT, "node_modules", ".bin", name);

/** dynalite, in memory, with zero table-state delays (FIELD-NOTES). No signature checks. */
export async function startDynalite(): Promise<SystemUnderTest> {
  const port = await freePort();
  return startPeer("dynalite", bin("dynalite"), ["--host", "127.0.0.1", "--port", String(port), "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"], port);
}

/** Why moto's figures say little; every suite that runs moto prints it. */
export const MOTO_NOTE =
  "moto runs its werkzeug development server, which stalls under autocannon's keep-alive connections (about 60 ops/s with sequential fetch, 0–10 ops/s here); its rows show that, not moto's engine.";

/** moto's server (S3, SQS, DynamoDB in one Python process). No signature checks. */
export async function startMoto(): Promise<SystemUnderTest> {
  const port = await freePort();
  return startPeer("moto", "python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], port);
}

/** s3rver on a temp directory; it checks signatures against its own key pair S3RVER/S3RVER. */
export async function startS3rver(): Promise<SystemUnderTest> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "bench-s3rver-"));
  const peer = await startPeer("s3rver", bin("s3rver"), ["-d", dir, "-a", "127.0.0.1", "-p", String(port), "--silent"], port);
  return { ...peer, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } };
}

/** fauxqs (in-memory SQS), started through its API on loopback. No signature checks. */
export async function startFauxqs(): Promise<SystemUnderTest> {
  const { child, match } = await spawnReady("fauxqs", process.execPath, ["--import", "tsx", join(BENCH_DIR, "peers", "fauxqs.ts")], /^port (\d+)$/);
  return { name: "fauxqs", url: `http://127.0.0.1:${match[1]}`, pid: child.pid!, credentials: LOCAL, stop: () => stopChild(child) };
}

/** Start systems one after another; on failure stop those already started. */
export async function startAll(starters: (() => Promise<SystemUnderTest>)[]): Promise<SystemUnderTest[]> {
  const systems: SystemUnderTest[] = [];
  try {
    for (const start of starters) systems.push(await start());
  } catch (err) {
    await stopAll(systems);
    throw err;
  }
  return systems;
}

export async function stopAll(systems: SystemUnderTest[]): Promise<void> {
  for (const s of systems) await s.stop().catch(() => {});
}

/**
 * Prepare every system; one whose setup fails is stopped and left out of the comparison
 * (reported in `failed`), so one broken system cannot hide the others' figures.
 */
export async function prepareAll(systems: SystemUnderTest[], setup: (s: SystemUnderTest) => Promise<void>): Promise<{ ready: SystemUnderTest[]; failed: string[] }> {
  const ready: SystemUnderTest[] = [];
  const failed: string[] = [];
  for (const s of systems) {
    try {
      console.log(`  preparing ${s.name}`);
      await setup(s);
      ready.push(s);
    } catch (err) {
      failed.push(`${s.name}: setup failed (${(err as Error).name}: ${(err as Error).message})`);
      await s.stop().catch(() => {});
    }
  }
  return { ready, failed };
}
