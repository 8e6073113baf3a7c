// Why authentication failed, independent of the service. The wire code, status and message
// each service answers with live in one table (error-table.ts); authErrorFor() applies it.

import { AwsError } from "../errors.ts";
import { ERROR_TABLE, type ErrorEntry } from "./error-table.ts";

export type AuthFailure =
  /** No Authorization header and no presigned query. */
  | "missing"
  /** Authorization header or presigned query present but not parseable. */
  | "malformed"
  /** An algorithm we do not verify (SigV2, SigV4a). */
  | "unsupported"
  /** Both an Authorization header and presigned query parameters. */
  | "multiple_auth"
  | "date_missing"
  /** x-amz-date present but not `yyyyMMdd'T'HHmmss'Z'` (header auth). */
  | "date_malformed"
  | "unknown_key"
  | "bad_signature"
  | "skewed"
  /** Presigned URL past X-Amz-Date + X-Amz-Expires. */
  | "expired"
  /** Presigned URL dated in the future beyond the allowed skew. */
  | "not_yet_valid"
  | "scope_region"
  | "scope_service"
  | "scope_date"
  /** Body does not hash to the signed x-amz-content-sha256. */
  | "payload_hash"
  | "content_sha256_missing"
  | "content_sha256_invalid"
  /** `host` (or, for S3, an x-amz-* header) is present but not signed. */
  | "unsigned_header_required"
  | "chunk_signature"
  | "chunk_malformed"
  | "chunk_size"
  /** Body ended early, or its decoded length differs from x-amz-decoded-content-length. */
  | "incomplete_body"
  | "decoded_length_missing"
  | "trailer_malformed"
  | "trailer_signature"
  | "body_too_large";

/** Facts the failing check knew; the error table turns them into AWS messages and fields. */
export interface AuthErrorContext {
  presigned?: boolean;
  accessKeyId?: string;
  region?: string;
  expectedRegion?: string;
  service?: string;
  expectedService?: string;
  /** The request's signing time and the server's clock, ms epoch. */
  requestTime?: number;
  serverTime?: number;
  amzDate?: string;
  scopeDate?: string;
  /** Presigned X-Amz-Expires (seconds). */
  expires?: number;
  /** SigV2 presigned `Expires`, ms epoch. */
  expiresAt?: number;
  stringToSign?: string;
  canonicalRequest?: string;
  signatureProvided?: string;
  clientSha256?: string;
  computedSha256?: string;
  headersNotSigned?: string[];
  argumentValue?: string;
  chunkIndex?: number;
  badChunkSize?: number;
  maxBytes?: number;
}

export class AuthError extends Error {
  constructor(
    readonly failure: AuthFailure,
    message: string,
    readonly context: AuthErrorContext = {},
  ) {
    super(message);
    this.name = "AuthError";
  }
}

/**
 * What a verifying body stream errors with: already the service's AwsError (so adapters can
 * serialize it as is, per the ServiceRequest contract), still carrying the typed failure.
 */
export class BodyAuthError extends AwsError {
  readonly failure: AuthFailure;
  constructor(
    readonly authError: AuthError,
    aws: AwsError,
  ) {
    super(aws.code, aws.message, {
      status: aws.status,
      fault: aws.fault,
      extra: aws.extra,
      headers: aws.headers,
      queryCode: aws.queryCode,
    });
    this.name = "BodyAuthError";
    this.failure = authError.failure;
  }
}

/** The exact AWS error for this failure, per service ("s3" | "sqs" | "dynamodb" | "sts"). */
export function authErrorFor(service: string, err: AuthError): AwsError {
  const row = ERROR_TABLE[err.failure];
  const entry: ErrorEntry = (row as Partial<Record<string, ErrorEntry>>)[service] ?? row.default;
  const code = typeof entry.code === "function" ? entry.code(err) : entry.code;
  const message =
    entry.message === undefined ? err.message : typeof entry.message === "function" ? entry.message(err) : entry.message;
  return new AwsError(code, message, {
    status: entry.status,
    queryCode: entry.queryCode,
    extra: entry.extra ? entry.extra(err) : undefined,
  });
}
