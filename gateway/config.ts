// Configuration from flags and environment variables. One table describes every option:
// its flag, its environment variable, its default and its help line, so `--help` can never
// drift from what is parsed. Flags win over the environment, which wins over defaults.

import { parseArgs } from "node:util";
import { DEFAULT_S3_OPTIONS } from "../adapters/s3/config.ts";
import { sqsOptionsFromEnv } from "../adapters/sqs/index.ts";
import { dynamoDbOptionsFromEnv } from "../adapters/dynamodb/index.ts";

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
  /** Adapter settings that were set (by flag or environment), by environment-variable name. */
  adapterEnv: Record<string, string>;
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

/**
 * Adapter tuning, passed to the adapters by environment-variable name (AdapterConfig.env).
 * Defaults live in the adapters; `--help` asks them, so there is one source for each.
 */
interface AdapterSetting {
  flag: string;
  env: string;
  help: string;
  default: () => string;
}

const ADAPTER_SETTINGS: AdapterSetting[] = [
  { flag: "s3-chunk-bytes", env: "S3_CHUNK_BYTES", help: "S3 object chunk size in bytes, shrunk to the store's limits (0: 2 MiB embedded, 1 MiB etcd)", default: () => String(DEFAULT_S3_OPTIONS.chunkBytes) },
  { flag: "s3-write-lease-ms", env: "S3_WRITE_LEASE_MS", help: "S3: how long an in-progress upload owns its chunks without renewing", default: () => String(DEFAULT_S3_OPTIONS.writeLeaseMs) },
  { flag: "s3-reader-grace-ms", env: "S3_READER_GRACE_MS", help: "S3: how long superseded chunks stay readable for GETs in progress", default: () => String(DEFAULT_S3_OPTIONS.readerGraceMs) },
  { flag: "s3-gc-interval-ms", env: "S3_GC_INTERVAL_MS", help: "S3: pause between idle garbage-collection passes", default: () => String(DEFAULT_S3_OPTIONS.gcIntervalMs) },
  { flag: "s3-abandoned-upload-ms", env: "S3_ABANDONED_UPLOAD_MS", help: "S3: age after which idle multipart uploads are aborted", default: () => String(DEFAULT_S3_OPTIONS.abandonedUploadMs) },
  { flag: "sqs-fifo-partitions", env: "SQS_FIFO_PARTITIONS", help: "SQS: partitions of each new FIFO queue (fixed at creation)", default: () => String(sqsOptionsFromEnv({}).fifoPartitions) },
  { flag: "sqs-reaper-interval-ms", env: "SQS_REAPER_INTERVAL_MS", help: "SQS: pause between passes of the expired-message reaper", default: () => String(sqsOptionsFromEnv({}).reaperIntervalMs) },
  { flag: "sqs-depth-interval-ms", env: "SQS_DEPTH_INTERVAL_MS", help: "SQS: interval of the queue-depth gauge snapshot", default: () => String(sqsOptionsFromEnv({}).depthIntervalMs) },
  { flag: "dynamodb-ttl-sweep-ms", env: "DDB_TTL_SWEEP_MS", help: "DynamoDB: pause between TTL expiry sweeps", default: () => String(dynamoDbOptionsFromEnv({}).ttlIntervalMs) },
  { flag: "dynamodb-item-collection-max-bytes", env: "DDB_ITEM_COLLECTION_MAX_BYTES", help: "DynamoDB: largest item collection (items of one partition key with their local index entries) of a table with a local secondary index", default: () => String(dynamoDbOptionsFromEnv({}).itemCollectionMaxBytes) },
];

/** Every flag, in `--help` order (the README's configuration table is checked against it). */
export const FLAGS: readonly { flag: string; env: string; default: string | undefined }[] = [
  ...OPTIONS.map(({ flag, env, default: d }) => ({ flag, env, default: d })),
  ...ADAPTER_SETTINGS.map(({ flag, env, default: d }) => ({ flag, env, default: d() })),
];

export function helpText(): string {
  const rows = OPTIONS.map((o) => {
    const def = o.default ? ` (default: ${o.default})` : "";
    return `  --${o.flag.padEnd(20)} ${o.help}${def}\n  ${"".padEnd(22)} env ${o.env}`;
  });
  const tuning = ADAPTER_SETTINGS.map((o) => `  --${o.flag.padEnd(24)} ${o.help} (default: ${o.default()})\n  ${"".padEnd(26)} env ${o.env}`);
  return `Usage: npm start -- [flags]\n\nFlags (each also settable by its environment variable):\n${rows.join("\n")}\n  --help                 Show this help\n\nAdapter tuning:\n${tuning.join("\n")}\n`;
}

export type ParseResult = { help: true } | { help: false; config: GatewayConfig };

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): ParseResult {
  const flagOptions: Record<string, { type: "string" } | { type: "boolean" }> = { help: { type: "boolean" } };
  for (const o of [...OPTIONS, ...ADAPTER_SETTINGS]) flagOptions[o.flag] = { type: "string" };
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
  const adapterEnv: Record<string, string> = {};
  for (const o of ADAPTER_SETTINGS) {
    const flagValue = values[o.flag];
    const raw = typeof flagValue === "string" ? flagValue : env[o.env];
    if (raw === undefined || raw === "") continue;
    if (!/^\d+$/.test(raw)) throw new ConfigError(`--${o.flag}: expected a non-negative integer, got ${raw}`);
    adapterEnv[o.env] = raw;
  }
  config.adapterEnv = adapterEnv;
  const c = config as unknown as GatewayConfig;
  if ((c.accessKeyId === undefined) !== (c.secretAccessKey === undefined)) {
    throw new ConfigError("--access-key-id and --secret-access-key go together");
  }
  return { help: false, config: c };
}
