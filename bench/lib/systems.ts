// Systems under test: each is a process on 127.0.0.1 with a URL and a pid to read CPU
// from. Everything started is stopped by pid (SIGTERM, then SIGKILL).

import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { startGateway, type GatewayOptions } from "../../e2e/harness/gateway.ts";
import { ROOT, BENCH_DIR } from "./paths.ts";

export interface SystemUnderTest {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

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
  return { name: "bare Hono no-op", url: `http://127.0.0.1:${match[1]}`, pid: child.pid!, stop: () => stopChild(child) };
}

/** The gateway as users run it: info-level request logs included (written to its log file). */
export async function startGatewaySystem(name: string, opts: GatewayOptions): Promise<SystemUnderTest> {
  const gw = await startGateway({ logLevel: "info", ...opts });
  return { name, url: gw.endpoint, pid: gw.pid, stop: () => gw.stop() };
}
