// The Markdown report (bench/REPORT.md): machine, versions, commands, and one table per
// comparison with medians and ratios against a named baseline.

import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Row } from "./compare.ts";
import { ROOT } from "./paths.ts";

export interface Section {
  title: string;
  /** What the ratio column compares against, by system name. */
  baseline: string;
  rounds: number;
  rows: Row[];
  notes: string[];
}

function version(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { stdio: ["ignore", "pipe", "ignore"] }).toString().split("\n")[0]!.trim();
  } catch {
    return "not found";
  }
}

function pkgVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "not installed";
  }
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

export function sectionMarkdown(s: Section, command: string): string {
  const base = s.rows.filter((r) => r.system === s.baseline);
  const lines = [`## ${s.title}`, "", `\`${command}\` at ${new Date().toISOString()}. Medians of ${s.rounds} A/B rounds. Ratio = ops/s ÷ ${s.baseline}'s ops/s in the same run (CPU ratio likewise).`, ""];
  lines.push("| workload | system | ops/s | ratio | p50 ms | p99 ms | CPU ms / 1k ops | CPU ratio | MB/s | failed |");
  lines.push("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of s.rows) {
    const b = base.find((x) => x.workload === r.workload);
    const ratio = b ? r.median.opsPerSecond / b.median.opsPerSecond : NaN;
    const cpuRatio = b ? r.median.cpuMsPer1000 / b.median.cpuMsPer1000 : NaN;
    lines.push(`| ${r.workload} | ${r.system} | ${fmt(r.median.opsPerSecond)} | ${fmt(ratio, 2)} | ${fmt(r.median.p50Ms, 1)} | ${fmt(r.median.p99Ms, 1)} | ${fmt(r.median.cpuMsPer1000, 1)} | ${fmt(cpuRatio, 2)} | ${fmt(r.median.mbPerSecond, 1)} | ${fmt(r.median.failures)} |`);
  }
  if (s.notes.length) lines.push("", ...s.notes.map((n) => `- ${n}`));
  return lines.join("\n");
}

/** The sections of an existing report, by title, so a run of one suite keeps the others. */
function existingSections(path: string): Map<string, string> {
  const out = new Map<string, string>();
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return out;
  }
  for (const part of text.split(/\n(?=## )/).slice(1)) out.set(part.slice(3, part.indexOf("\n")), part.trimEnd());
  return out;
}

export function writeReport(sections: Section[], command: string, path = join(ROOT, "bench", "REPORT.md")): string {
  const cpu = cpus();
  const header = [
    "# Benchmark report",
    "",
    "Each section was produced by the command it names; a run replaces its own sections and keeps the others.",
    "",
    `- Machine: ${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- Node ${process.version}; etcd: ${version("etcd", ["--version"])}`,
    `- hono ${pkgVersion("hono")}, @hono/node-server ${pkgVersion("@hono/node-server")}, lmdb ${pkgVersion("lmdb")}, etcd3 ${pkgVersion("etcd3")}, autocannon ${pkgVersion("autocannon")}`,
    `- Load: autocannon in a separate process replaying pre-signed requests; server CPU from /proc/<pid>/stat (process tree).`,
    "",
  ];
  const merged = existingSections(path);
  for (const s of sections) merged.set(s.title, sectionMarkdown(s, command));
  const text = [...header, [...merged.values()].join("\n\n")].join("\n") + "\n";
  writeFileSync(path, text);
  return text;
}
