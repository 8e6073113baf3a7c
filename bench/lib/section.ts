// Run a suite's workloads over its prepared systems and shape the report section.

import type { BenchOptions } from "../options.ts";
import { compare, type Row, type Workload } from "./compare.ts";
import type { Section } from "./report.ts";
import type { SystemUnderTest } from "./systems.ts";

export interface SectionSpec {
  title: string;
  baseline: string;
  notes: string[];
}

export async function runSection(spec: SectionSpec, workloads: Workload[], systems: SystemUnderTest[], failed: string[], opts: BenchOptions): Promise<Section> {
  const rows: Row[] = [];
  for (const w of workloads) {
    console.log(`## ${w.name}`);
    rows.push(...(await compare(w, systems, opts.rounds)));
  }
  return { ...spec, rounds: opts.rounds, rows, notes: [...failed, ...spec.notes] };
}
