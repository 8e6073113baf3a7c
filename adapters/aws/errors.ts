// AWS error shapes, one serializer per protocol family. Adapters throw AwsError; the
// gateway and the adapters turn it into the wire shape their client expects.

import { xmlDocument } from "./xml-writer.ts";

export type Fault = "Sender" | "Receiver";

export interface AwsErrorOptions {
  status?: number;
  fault?: Fault;
  /** Extra fields: XML elements for S3 (e.g. BucketName), JSON members for JSON protocols. */
  extra?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** SQS: the legacy Query error code for `x-amzn-query-error` when it differs from `code`. */
  queryCode?: string;
}

export class AwsError extends Error {
  readonly status: number;
  readonly fault: Fault;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;
  readonly queryCode: string;

  constructor(
    readonly code: string,
    message: string,
    opts: AwsErrorOptions = {},
  ) {
    super(message);
    this.name = "AwsError";
    this.status = opts.status ?? 400;
    this.fault = opts.fault ?? (this.status >= 500 ? "Receiver" : "Sender");
    this.extra = opts.extra ?? {};
    this.headers = opts.headers ?? {};
    this.queryCode = opts.queryCode ?? code;
  }
}

/** S3 REST-XML: `<Error><Code/><Message/>…<RequestId/><HostId/></Error>`; HEAD has no body. */
export function s3ErrorResponse(err: AwsError, requestId: string, method: string): Response {
  const headers = new Headers(err.headers);
  headers.set("content-type", "application/xml");
  if (method === "HEAD") return new Response(null, { status: err.status, headers });
  const body = xmlDocument("Error", { Code: err.code, Message: err.message, ...err.extra, RequestId: requestId, HostId: requestId });
  return new Response(body, { status: err.status, headers });
}

/**
 * AWS JSON 1.0 error. `typePrefix` is the service's shape namespace
 * (`com.amazonaws.dynamodb.v20120810#`, `com.amazonaws.sqs#`); `typeName` replaces the
 * code after it where the model names the error otherwise. With `queryCompatible`, adds
 * `x-amzn-query-error: <queryCode>;<fault>` so query-compatible SDKs map the error.
 */
export function jsonErrorResponse(
  err: AwsError,
  opts: { typePrefix: string; typeName?: string; queryCompatible?: boolean },
): Response {
  const headers = new Headers(err.headers);
  headers.set("content-type", "application/x-amz-json-1.0");
  if (opts.queryCompatible) headers.set("x-amzn-query-error", `${err.queryCode};${err.fault}`);
  const body = JSON.stringify({ __type: opts.typePrefix + (opts.typeName ?? err.code), message: err.message, ...err.extra });
  return new Response(body, { status: err.status, headers });
}

/**
 * Query protocol: `<ErrorResponse><Error><Type/><Code/><Message/><Detail/></Error><RequestId/>`.
 * `message` replaces the error's own where the service words a Query answer otherwise.
 */
export function queryErrorResponse(err: AwsError, requestId: string, xmlns: string, opts: { message?: string } = {}): Response {
  const headers = new Headers(err.headers);
  headers.set("content-type", "text/xml");
  const body = xmlDocument("ErrorResponse", {
    "@_xmlns": xmlns,
    Error: { Type: err.fault, Code: err.queryCode, Message: opts.message ?? err.message, Detail: "" },
    RequestId: requestId,
  });
  return new Response(body, { status: err.status, headers });
}
