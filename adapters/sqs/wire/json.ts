// The AWS JSON 1.0 front door (`X-Amz-Target: AmazonSQS.<Action>`). Errors carry
// `__type` and `x-amzn-query-error` so query-compatible SDKs raise the typed exception.

import { AwsError, jsonErrorResponse } from "../../aws/errors.ts";
import { serializationError } from "../errors.ts";
import type { Input, Output } from "../model.ts";

export const JSON_TYPE_PREFIX = "com.amazonaws.sqs#";
const TARGET_PREFIX = "AmazonSQS.";

export function jsonAction(headers: Headers): string | undefined {
  const target = headers.get("x-amz-target");
  if (!target?.startsWith(TARGET_PREFIX)) return undefined;
  return target.slice(TARGET_PREFIX.length);
}

export function parseJsonBody(bytes: Uint8Array | undefined): Input {
  // A view, not a copy, of the verified body.
  const text = bytes && bytes.length > 0 ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8") : "{}";
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw serializationError("Start of structure or map found where not expected.");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw serializationError("Start of structure or map found where not expected.");
  }
  return parsed as Input;
}

export function jsonResponse(output: Output): Response {
  return new Response(JSON.stringify(output), {
    status: 200,
    headers: { "content-type": "application/x-amz-json-1.0" },
  });
}

/**
 * Legacy codes the JSON model has no error shape for, and the `__type` AWS names them with
 * (botocore's QueryErrorCode in LocalStack's snapshots recorded against SQS). Query
 * clients and `x-amzn-query-error` keep the legacy code.
 */
const UNMODELED_JSON_TYPES: ReadonlyMap<string, string> = new Map([
  ["InvalidParameterValue", "InvalidParameterValueException"],
  ["MissingParameter", "MissingRequiredParameterException"],
]);

export function jsonError(err: AwsError): Response {
  return jsonErrorResponse(err, { typePrefix: JSON_TYPE_PREFIX, typeName: UNMODELED_JSON_TYPES.get(err.queryCode), queryCompatible: true });
}
