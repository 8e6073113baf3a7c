// `npm run bench [-- [suite ...] [--rounds N] [--seconds S]]`: runs the benchmark suites
// (a script, not a test), prints progress, and writes bench/REPORT.md.

import { parseArgs } from "node:util";
import { benchGateway } from "./gateway.ts";
import { benchDynamoDb } from "./dynamodb.ts";
import { benchS3 } from "./s3.ts";
import { benchSqs } from "./sqs.ts";
import type { BenchOptions } from "./options.ts";
import { writeReport, type Section } from "./lib/report.ts";

const SUITES: Record<string, (o: BenchOptions) => Promise<Section[]>> = {
  gateway: benchGateway,
  s3: benchS3,
  sqs: benchSqs,
  dynamodb: benchDynamoDb,
};

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: { rounds: { type: "string", default: "3" }, seconds: { type: "string", default: "10" } },
  allowPositionals: true,
});
const opts: BenchOptions = { rounds: Number(values.rounds), seconds: Number(values.seconds) };
const chosen = positionals.length ? positionals : Object.keys(SUITES);
for (const name of chosen) if (!SUITES[name]) throw new Error(`unknown suite ${name}; have ${Object.keys(SUITES).join(", ")}`);

const sections: Section[] = [];
for (const name of chosen) {
  console.log(`# ${name}`);
  sections.push(...(await SUITES[name]!(opts)));
}
const command = `npm run bench -- ${chosen.join(" ")} --rounds ${opts.rounds} --seconds ${opts.seconds}`;
console.log("\n" + writeReport(sections, command));
process.exit(0);
