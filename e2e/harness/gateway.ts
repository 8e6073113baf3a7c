// Starts the real gateway process (`node --import tsx gateway/main.ts`) on 127.0.0.1 and a
// free port, waits for its ready line, and stops it by pid. Children are killed when the
// test process exits, even when a test fails.

import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const LOCAL_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };
export const TEST_REGION = "us-east-1";

export interface GatewayOptions {
  backend: "embedded" | "etcd";
  /** Embedded data dir; a fresh temp dir when absent (removed on stop). */
  dataDir?: string;
  etcdEndpoints?: string[];
  /** Extra flags, e.g. ["--leader-check", "local"]. */
  args?: string[];
  env?: Record<string, string>;
  /** Fixed edge port (restart uses the previous one); a free port when absent. */
  port?: number;
  /** Default "warn": per-request info lines cost CPU that tests do not need. */
  logLevel?: string;
}

export interface GatewayProcess {
  endpoint: string;
  port: number;
  ports: Record<string, number>;
  readonly pid: number;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  dataDir: string | undefined;
  /** File the gateway's stdout/stderr go to. */
  logFile: string;
  /** Graceful stop (SIGTERM, then SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
  /** Send a signal and wait for the process to exit (SIGKILL for crash tests). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start again on the same port and data. */
  restart(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of live) c.kill("SIGKILL");
});

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once("exit", () => r()));
}

async function spawnGateway(opts: GatewayOptions, dataDir: string | undefined, logDir: string): Promise<{ child: ChildProcess; ports: Record<string, number>; logFile: string }> {
  const args = [
    "--import", "tsx", join(ROOT, "gateway", "main.ts"),
    "--host", "127.0.0.1",
    "--port", String(opts.port ?? 0),
    "--backend", opts.backend,
    "--region", TEST_REGION,
    "--log-level", opts.logLevel ?? "warn",
    ...(opts.backend === "embedded" ? ["--data-dir", dataDir!] : ["--etcd-endpoints", (opts.etcdEndpoints ?? []).join(",")]),
    ...(opts.args ?? []),
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  child.once("exit", () => live.delete(child));
  const logFile = join(logDir, `gateway-${Date.now()}-${child.pid}.log`);
  const log = createWriteStream(logFile);
  child.stderr!.pipe(log, { end: false });
  const lines = createInterface({ input: child.stdout! });
  const ports = await new Promise<Record<string, number>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not become ready in 30 s; see ${logFile}`)), 30_000);
    child.once("exit", (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited early (code ${code}, signal ${sig}); see ${logFile}`));
    });
    lines.on("line", (line) => {
      log.write(line + "\n");
      const m = /^\s+ports: (\{.*\})$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(JSON.parse(m[1]!) as Record<string, number>);
      }
    });
  });
  return { child, ports, logFile };
}

export async function startGateway(opts: GatewayOptions): Promise<GatewayProcess> {
  const ownDir = opts.backend === "embedded" && !opts.dataDir;
  const dataDir = opts.backend === "embedded" ? (opts.dataDir ?? mkdtempSync(join(tmpdir(), "gw-data-"))) : undefined;
  const logDir = mkdtempSync(join(tmpdir(), "gw-log-"));
  let current = await spawnGateway(opts, dataDir, logDir);
  const port = current.ports.edge!;

  const gw: GatewayProcess = {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    ports: current.ports,
    get pid() {
      return current.child.pid!;
    },
    region: TEST_REGION,
    credentials: LOCAL_CREDENTIALS,
    dataDir,
    get logFile() {
      return current.logFile;
    },
    async kill(signal = "SIGKILL") {
      current.child.kill(signal);
      await exited(current.child);
    },
    async stop(graceMs = 5_000) {
      const child = current.child;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
        await exited(child);
        clearTimeout(t);
      }
      if (ownDir && dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
    async restart() {
      await exited(current.child);
      current = await spawnGateway({ ...opts, port }, dataDir, logDir);
      gw.ports = current.ports;
    },
  } as GatewayProcess;
  return gw;
}
