// Server CPU time read from the OS (/proc/<pid>/stat utime + stime), so a system's cost
// per operation is measured the same way whatever language it is written in.

import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";

const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;

/** CPU seconds (user + system) the process has used so far, children excluded. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name may contain spaces; fields after it start past the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLOCK_TICKS;
}

/** CPU seconds of a process and all its descendants (for peers that fork workers). */
export function treeCpuSeconds(pid: number): number {
  let total = cpuSeconds(pid);
  let children: string[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
  } catch {
    // The process is gone or exposes no children: count what we have.
  }
  for (const c of children) {
    try {
      total += treeCpuSeconds(Number(c));
    } catch {
      // A child exited between listing and reading.
    }
  }
  return total;
}
