// Configuration from flags and environment variables. One table describes every option:
// its flag, its environment variable, its default and its help line, so `--help` can never
// drift from what is parsed. Flags win over the environment, which wins over defaults.

import { parseArgs } from "node:util";

export type Backend = "embedded" | "etcd";
export type LeaderCheckMode = "quorum" | "local";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface GatewayConfig {
  host: string;
  port: number;
  backend: Backend;
  dataDir: string;
  etcdEndpoints: string[];
  credentialsFile: string | undefined;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  region: string;
  accountId: string;
  s3Port: number | undefined;
  sqsPort: number | undefined;
  dynamodbPort: number | undefined;
  metricsPort: number | undefined;
  leaderCheck: LeaderCheckMode;
  logLevel: LogLevel;
  s3BaseDomain: string;
  shutdownGraceMs: number;
}

export class ConfigError extends Error {}

interface OptionSpec<K extends keyof GatewayConfig> {
  key: K;
  flag: string;
  env: string;
  default: string | undefined;
  help: string;
  parse: (raw: string, flag: string) => GatewayConfig[K];
}

const text = (raw: string) => raw;
const optionalText = (raw: string) => raw || undefined;

function port(raw: string, flag: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`--${flag}: not a port: ${raw}`);
  return n;
}

function optionalPort(raw: string, flag: string): number | undefined {
  return raw === "" ? undefined : port(raw, flag);
}

function oneOf<T extends string>(values: readonly T[]) {
  return (raw: string, flag: string): T => {
    if (!(values as readonly string[]).includes(raw)) {
      throw new ConfigError(`--${flag}: expected one of ${values.join(", ")}, got ${raw}`);
    }
    return raw as T;
  };
}

function positiveInt(raw: string, flag: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`--${flag}: expected a positive integer, got ${raw}`);
  return n;
}

function accountId(raw: string, flag: string): string {
  if (!/^\d{12}$/.test(raw)) throw new ConfigError(`--${flag}: an AWS account id is 12 digits, got ${raw}`);
  return raw;
}

function endpoints(raw: string): string[] {
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (/^https?:\/\//.test(s) ? s : `http://${s}`));
}

// The order here is the order of `--help`.
const OPTIONS: OptionSpec<keyof GatewayConfig>[] = [
  { key: "host", flag: "host", env: "GATEWAY_HOST", default: "127.0.0.1", help: "Address of the edge listener", parse: text },
  { key: "port", flag: "port", env: "GATEWAY_PORT", default: "4566", help: "Port of the edge listener (S3, SQS, DynamoDB and STS on one port)", parse: port },
  { key: "backend", flag: "backend", env: "GATEWAY_BACKEND", default: "embedded", help: "Store: embedded (durable, on disk) or etcd", parse: oneOf(["embedded", "etcd"] as const) },
  { key: "dataDir", flag: "data-dir", env: "GATEWAY_DATA_DIR", default: "./data", help: "Data directory of the embedded store", parse: text },
  { key: "etcdEndpoints", flag: "etcd-endpoints", env: "GATEWAY_ETCD_ENDPOINTS", default: "http://127.0.0.1:2379", help: "Comma-separated etcd client URLs (the first is this gateway's local member)", parse: endpoints },
  { key: "credentialsFile", flag: "credentials", env: "GATEWAY_CREDENTIALS", default: "", help: 'JSON file {"credentials":[{"accessKeyId","secretAccessKey","ownerId"?,"displayName"?}]}', parse: optionalText },
  { key: "accessKeyId", flag: "access-key-id", env: "GATEWAY_ACCESS_KEY_ID", default: "", help: "One credential from the environment (with --secret-access-key)", parse: optionalText },
  { key: "secretAccessKey", flag: "secret-access-key", env: "GATEWAY_SECRET_ACCESS_KEY", default: "", help: "Secret of --access-key-id", parse: optionalText },
  { key: "region", flag: "region", env: "GATEWAY_REGION", default: "us-east-1", help: "Region in signatures, ARNs and queue URLs", parse: text },
  { key: "accountId", flag: "account-id", env: "GATEWAY_ACCOUNT_ID", default: "000000000000", help: "Account id in ARNs and SQS queue URLs", parse: accountId },
  { key: "s3Port", flag: "s3-port", env: "GATEWAY_S3_PORT", default: "", help: "Optional listener serving only S3", parse: optionalPort },
  { key: "sqsPort", flag: "sqs-port", env: "GATEWAY_SQS_PORT", default: "", help: "Optional listener serving only SQS", parse: optionalPort },
  { key: "dynamodbPort", flag: "dynamodb-port", env: "GATEWAY_DYNAMODB_PORT", default: "", help: "Optional listener serving only DynamoDB", parse: optionalPort },
  { key: "metricsPort", flag: "metrics-port", env: "GATEWAY_METRICS_PORT", default: "", help: "Optional listener serving only /metrics and /healthz*", parse: optionalPort },
  { key: "leaderCheck", flag: "leader-check", env: "GATEWAY_LEADER_CHECK", default: "quorum", help: "/healthz/leader mode: quorum (the store has a leader) or local (our etcd member leads)", parse: oneOf(["quorum", "local"] as const) },
  { key: "logLevel", flag: "log-level", env: "GATEWAY_LOG_LEVEL", default: "info", help: "fatal, error, warn, info, debug, trace or silent", parse: oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const) },
  { key: "s3BaseDomain", flag: "s3-base-domain", env: "GATEWAY_S3_BASE_DOMAIN", default: "localhost", help: "Virtual-host style S3: bucket.s3.<domain>", parse: text },
  { key: "shutdownGraceMs", flag: "shutdown-grace-ms", env: "GATEWAY_SHUTDOWN_GRACE_MS", default: "10000", help: "On SIGTERM, how long in-flight requests may finish before they are aborted", parse: positiveInt },
];

/** Every flag, in `--help` order (the README's configuration table is checked against it). */
export const FLAGS: readonly { flag: string; env: string; default: string | undefined }[] = OPTIONS.map(({ flag, env, default: d }) => ({ flag, env, default: d }));

export function helpText(): string {
  const rows = OPTIONS.map((o) => {
    const def = o.default ? ` (default: ${o.default})` : "";
    return `  --${o.flag.padEnd(20)} ${o.help}${def}\n  ${"".padEnd(22)} env ${o.env}`;
  });
  return `Usage: npm start -- [flags]\n\nFlags (each also settable by its environment variable):\n${rows.join("\n")}\n  --help                 Show this help\n`;
}

export type ParseResult = { help: true } | { help: false; config: GatewayConfig };

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): ParseResult {
  const flagOptions: Record<string, { type: "string" } | { type: "boolean" }> = { help: { type: "boolean" } };
  for (const o of OPTIONS) flagOptions[o.flag] = { type: "string" };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: flagOptions, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  if (values.help) return { help: true };
  const config: Record<string, unknown> = {};
  for (const o of OPTIONS) {
    const flagValue = values[o.flag];
    const raw = typeof flagValue === "string" ? flagValue : (env[o.env] ?? o.default ?? "");
    config[o.key] = o.parse(raw, o.flag);
  }
  const c = config as unknown as GatewayConfig;
  if ((c.accessKeyId === undefined) !== (c.secretAccessKey === undefined)) {
    throw new ConfigError("--access-key-id and --secret-access-key go together");
  }
  return { help: false, config: c };
}
