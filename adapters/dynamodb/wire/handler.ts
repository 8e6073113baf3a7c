// The JSON 1.0 front door: X-Amz-Target dispatch, body parsing, input tables, and turning
// results and errors into DynamoDB's responses (every one with x-amz-crc32).

import { crc32 } from "node:zlib";
import { errorReason } from "../../../kvclient/errors.ts";
import type { ServiceRequest } from "../../aws/service.ts";
import { InputValidationError, SerializationError, validateInput } from "../validation/engine.ts";
import { SHAPES } from "../validation/shapes.ts";
import { rawParts, type Input, type OpContext, type Output } from "../ops/context.ts";
import {
  DdbError,
  errorBody,
  internalError,
  serializationError,
  transactionConflict,
  unknownOperation,
  validationError,
} from "./errors.ts";

export type Operation = (ctx: OpContext & { host: string }, data: Input) => Promise<Output>;

const TARGET_PREFIX = "DynamoDB_20120810.";

/** Operations DynamoDB has that this gateway does not serve yet: one explicit table. */
export const UNSUPPORTED_OPERATIONS: readonly string[] = [
  "BatchExecuteStatement",
  "ExecuteStatement",
  "ExecuteTransaction",
  "CreateBackup",
  "DeleteBackup",
  "DescribeBackup",
  "ListBackups",
  "RestoreTableFromBackup",
  "RestoreTableToPointInTime",
  "DescribeContinuousBackups",
  "UpdateContinuousBackups",
  "CreateGlobalTable",
  "DescribeGlobalTable",
  "DescribeGlobalTableSettings",
  "ListGlobalTables",
  "UpdateGlobalTable",
  "UpdateGlobalTableSettings",
  "DescribeTableReplicaAutoScaling",
  "UpdateTableReplicaAutoScaling",
  "DescribeContributorInsights",
  "ListContributorInsights",
  "UpdateContributorInsights",
  "DescribeKinesisStreamingDestination",
  "EnableKinesisStreamingDestination",
  "DisableKinesisStreamingDestination",
  "UpdateKinesisStreamingDestination",
  "ExportTableToPointInTime",
  "DescribeExport",
  "ListExports",
  "ImportTable",
  "DescribeImport",
  "ListImports",
  "GetResourcePolicy",
  "PutResourcePolicy",
  "DeleteResourcePolicy",
];

const EMPTY_OBJECT = Buffer.from("{}");
const EMPTY_OBJECT_CRC = String(crc32(EMPTY_OBJECT));

function respondBytes(status: number, bytes: Uint8Array<ArrayBuffer>, contentType: string, crc?: string): Response {
  return new Response(bytes, {
    status,
    headers: {
      "content-type": contentType,
      "content-length": String(bytes.length),
      "x-amz-crc32": crc ?? String(crc32(bytes)),
    },
  });
}

/** A successful operation's output: most writes answer `{}`, GetItem may hand over raw bytes. */
function respondOutput(out: Output, contentType: string): Response {
  const parts = rawParts(out);
  if (parts) return respondBytes(200, Buffer.concat(parts) as Uint8Array<ArrayBuffer>, contentType);
  for (const _ in out) return respond(200, out, contentType);
  return respondBytes(200, EMPTY_OBJECT, contentType, EMPTY_OBJECT_CRC);
}

function respond(status: number, body: unknown, contentType: string): Response {
  const text = JSON.stringify(body);
  const bytes = Buffer.from(text, "utf8");
  return new Response(bytes, {
    status,
    headers: {
      "content-type": contentType,
      "content-length": String(bytes.length),
      "x-amz-crc32": String(crc32(bytes)),
    },
  });
}

export function errorResponse(err: DdbError, contentType = "application/x-amz-json-1.0"): Response {
  return respond(err.status, errorBody(err), contentType);
}

/** Map anything thrown to the DynamoDB error a client should see. */
export function toDdbError(err: unknown, operation: string): DdbError | undefined {
  if (err instanceof DdbError) return err;
  if (err instanceof InputValidationError) return validationError(err.message);
  if (err instanceof SerializationError) return serializationError(err.message);
  switch (errorReason(err)) {
    case "retry_limit":
    case "write_conflict":
      // Contention that outlived our retries: transactions say so, single writes ask the
      // client to retry (the SDKs retry InternalServerError).
      return operation === "TransactWriteItems" ? transactionConflict() : internalError();
    case "deadline_exceeded":
    case "not_leader":
    case "unavailable":
      return internalError();
    case "too_large":
      return validationError("Item size has exceeded the maximum allowed size");
    default:
      return undefined;
  }
}

export async function dispatch(
  req: ServiceRequest,
  operations: Record<string, Operation>,
  ctx: OpContext & { host: string },
): Promise<Response> {
  const reqType = (req.headers.get("content-type") ?? "").split(";")[0]!.trim();
  const contentType = reqType === "application/json" ? "application/json" : "application/x-amz-json-1.0";
  const target = req.headers.get("x-amz-target") ?? "";
  const op = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : "";
  const fn = Object.hasOwn(operations, op) ? operations[op] : undefined;
  if (!fn) {
    if (UNSUPPORTED_OPERATIONS.includes(op)) {
      return errorResponse(new DdbError("UnknownOperationException", `The operation ${op} is not supported by this gateway yet`, "com.amazon.coral.service#"), contentType);
    }
    return errorResponse(unknownOperation(), contentType);
  }
  req.operation = op;
  let bytes = req.bytes;
  if (!bytes && req.body) bytes = new Uint8Array(await new Response(req.body).arrayBuffer());
  let body: unknown = {};
  if (bytes && bytes.length) {
    try {
      body = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
    } catch {
      return errorResponse(serializationError(), contentType);
    }
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return errorResponse(serializationError(Array.isArray(body) ? "Start of list found where not expected" : "Unexpected token received from parser"), contentType);
  }
  try {
    const data = validateInput(body as Record<string, unknown>, SHAPES[op]!);
    const out = await fn(ctx, data);
    return respondOutput(out, contentType);
  } catch (err) {
    const mapped = toDdbError(err, op);
    if (mapped) {
      if (mapped.status >= 500) ctx.logger.warn({ err, operation: op }, "dynamodb store failure");
      return errorResponse(mapped, contentType);
    }
    ctx.logger.error({ err, operation: op }, "dynamodb operation failed");
    return errorResponse(internalError(), contentType);
  }
}
