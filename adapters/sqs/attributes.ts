// Queue attributes as data: AWS's names, ranges and defaults in one table, one engine that
// validates them and answers AWS's exact errors. Read-only attributes are computed at read.

import { invalidAttributeName, invalidAttributeValue } from "./errors.ts";
import { dict, hasOwn } from "./dict.ts";

/** The current SQS maximum (raised from 256 KiB to 1 MiB in August 2025). */
export const MAX_MESSAGE_BYTES = 1_048_576;

interface IntSpec { kind: "int"; min: number; max: number; default?: string }
interface BoolSpec { kind: "bool"; default?: string }
interface EnumSpec { kind: "enum"; values: readonly string[]; default?: string }
interface TextSpec { kind: "text"; default?: string }
interface JsonSpec { kind: "json" }
type Spec = (IntSpec | BoolSpec | EnumSpec | TextSpec | JsonSpec) & {
  fifoOnly?: boolean;
  /** The queue type, chosen at creation: a standard queue has no such attribute afterwards. */
  queueType?: boolean;
};

/** AWS's MessageRetentionPeriod default: 4 days. */
const DEFAULT_RETENTION_SECONDS = "345600";

export const SETTABLE: Record<string, Spec> = {
  DelaySeconds: { kind: "int", min: 0, max: 900, default: "0" },
  MaximumMessageSize: { kind: "int", min: 1024, max: MAX_MESSAGE_BYTES, default: String(MAX_MESSAGE_BYTES) },
  MessageRetentionPeriod: { kind: "int", min: 60, max: 1_209_600, default: DEFAULT_RETENTION_SECONDS },
  ReceiveMessageWaitTimeSeconds: { kind: "int", min: 0, max: 20, default: "0" },
  VisibilityTimeout: { kind: "int", min: 0, max: 43_200, default: "30" },
  Policy: { kind: "json" },
  RedrivePolicy: { kind: "json" },
  RedriveAllowPolicy: { kind: "json" },
  KmsMasterKeyId: { kind: "text" },
  KmsDataKeyReusePeriodSeconds: { kind: "int", min: 60, max: 86_400 },
  SqsManagedSseEnabled: { kind: "bool", default: "true" },
  FifoQueue: { kind: "bool", queueType: true },
  ContentBasedDeduplication: { kind: "bool", fifoOnly: true, default: "false" },
  DeduplicationScope: { kind: "enum", values: ["messageGroup", "queue"], fifoOnly: true, default: "queue" },
  FifoThroughputLimit: { kind: "enum", values: ["perQueue", "perMessageGroupId"], fifoOnly: true, default: "perQueue" },
};

export const READ_ONLY = [
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
  "CreatedTimestamp",
  "LastModifiedTimestamp",
  "QueueArn",
] as const;

/** The order GetQueueAttributes(All) lists them, as AWS does. */
export const ALL_ORDER = [
  "QueueArn",
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
  "CreatedTimestamp",
  "LastModifiedTimestamp",
  "VisibilityTimeout",
  "MaximumMessageSize",
  "MessageRetentionPeriod",
  "DelaySeconds",
  "ReceiveMessageWaitTimeSeconds",
  "Policy",
  "RedrivePolicy",
  "RedriveAllowPolicy",
  "KmsMasterKeyId",
  "KmsDataKeyReusePeriodSeconds",
  "SqsManagedSseEnabled",
  "FifoQueue",
  "ContentBasedDeduplication",
  "DeduplicationScope",
  "FifoThroughputLimit",
];

export function isKnownAttribute(name: string): boolean {
  return hasOwn(SETTABLE, name) || (READ_ONLY as readonly string[]).includes(name);
}

const invalidValue = (name: string) => invalidAttributeValue(`Invalid value for the parameter ${name}.`);

/** Validate one settable attribute and return its normalized string form. */
export function normalizeAttribute(name: string, raw: unknown, fifo: boolean, creating: boolean): string {
  const spec = hasOwn(SETTABLE, name) ? SETTABLE[name] : undefined;
  // Read-only, unknown, FIFO-only on a standard queue, or the queue type of an existing
  // standard queue.
  if (!spec || (spec.fifoOnly && !fifo) || (spec.queueType && !creating && !fifo)) throw invalidAttributeName(name);
  const value = typeof raw === "number" || typeof raw === "boolean" ? String(raw) : raw;
  if (typeof value !== "string") throw invalidValue(name);
  switch (spec.kind) {
    case "int": {
      if (!/^-?[0-9]+$/.test(value.trim())) throw invalidValue(name);
      const n = Number(value.trim());
      if (n < spec.min || n > spec.max) throw invalidValue(name);
      return String(n);
    }
    case "bool": {
      const v = value.toLowerCase();
      if (v !== "true" && v !== "false") throw invalidValue(name);
      // An existing FIFO queue stays one: "true" again is a no-op (AWS).
      if (spec.queueType && !creating && v !== "true") {
        throw invalidAttributeValue(`Invalid value for the parameter ${name}. Reason: Modifying queue type is not supported.`);
      }
      return v;
    }
    case "enum":
      if (!spec.values.includes(value)) throw invalidValue(name);
      return value;
    case "text":
      return value;
    case "json":
      if (value === "") return "";
      try {
        const parsed: unknown = JSON.parse(value);
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not a map");
      } catch {
        throw invalidAttributeValue(`Invalid value for the parameter ${name}. Reason: ${name} must be a JSON object.`);
      }
      return value;
  }
}

/** How long a queue keeps a message (MessageRetentionPeriod, or its default), in ms. */
export function retentionMs(attrs: Record<string, string>): number {
  return Number(attrs.MessageRetentionPeriod ?? DEFAULT_RETENTION_SECONDS) * 1000;
}

/** Defaults for a new queue. */
export function defaultAttributes(fifo: boolean): Record<string, string> {
  const out = dict<string>();
  for (const [name, spec] of Object.entries(SETTABLE)) {
    if (spec.fifoOnly && !fifo) continue;
    if ("default" in spec && spec.default !== undefined) out[name] = spec.default;
  }
  if (fifo) out.FifoQueue = "true";
  return out;
}
