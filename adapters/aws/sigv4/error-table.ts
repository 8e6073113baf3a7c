// Every authentication failure, as each AWS service answers it: one table, read top to
// bottom. Codes, statuses and wording follow what S3, SQS, DynamoDB and STS send
// (cross-checked against SDK issue reports, MinIO's and LocalStack's S3 tables).
//
// SQS speaks AWS JSON with query compatibility: `code` is the JSON `__type`, `queryCode` the
// legacy code the SDKs read from `x-amzn-query-error` (and the Query protocol's <Code>).

import type { AuthError, AuthFailure } from "./auth-error.ts";

export interface ErrorEntry {
  code: string | ((e: AuthError) => string);
  status: number;
  queryCode?: string;
  /** Fixed text, a template over the context, or undefined to use the thrower's message. */
  message?: string | ((e: AuthError) => string);
  extra?: (e: AuthError) => Record<string, unknown>;
}

type Row = { default: ErrorEntry } & Partial<Record<"s3" | "sqs" | "dynamodb" | "sts", ErrorEntry>>;

export const MAX_SKEW_MS = 15 * 60 * 1000;

/** 20240102T030405Z */
export function isoBasic(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

const SIG_MISMATCH_S3 =
  "The request signature we calculated does not match the signature you provided. Check your key and signing method.";
const SIG_MISMATCH_CORAL =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
const INVALID_TOKEN = "The security token included in the request is invalid.";
const MISSING_TOKEN = "Request is missing Authentication Token";
const INCOMPLETE_BODY = "You did not provide the number of bytes specified by the Content-Length HTTP header";

function hexBytes(s: string): string {
  const hex = Buffer.from(s, "utf8").toString("hex");
  let out = "";
  for (let i = 0; i < hex.length; i += 2) out += (i ? " " : "") + hex.slice(i, i + 2);
  return out;
}

/** S3 explains a signature mismatch with what it signed, so clients can diff. */
function s3SignatureExtra(e: AuthError): Record<string, unknown> {
  const c = e.context;
  const out: Record<string, unknown> = {};
  if (c.accessKeyId !== undefined) out.AWSAccessKeyId = c.accessKeyId;
  if (c.stringToSign !== undefined) {
    out.StringToSign = c.stringToSign;
    out.SignatureProvided = c.signatureProvided ?? "";
    out.StringToSignBytes = hexBytes(c.stringToSign);
  }
  if (c.canonicalRequest !== undefined) {
    out.CanonicalRequest = c.canonicalRequest;
    out.CanonicalRequestBytes = hexBytes(c.canonicalRequest);
  }
  return out;
}

/** "Signature expired: … is now earlier than … (… - 15 min.)" as the coral services word it. */
function coralSkew(e: AuthError): string {
  const req = e.context.requestTime ?? 0;
  const now = e.context.serverTime ?? Date.now();
  if (req < now) {
    return `Signature expired: ${isoBasic(req)} is now earlier than ${isoBasic(now - MAX_SKEW_MS)} (${isoBasic(now)} - 15 min.)`;
  }
  return `Signature not yet current: ${isoBasic(req)} is still later than ${isoBasic(now + MAX_SKEW_MS)} (${isoBasic(now)} + 15 min.)`;
}

function coralExpired(e: AuthError): string {
  const end = (e.context.requestTime ?? 0) + (e.context.expires ?? 0) * 1000;
  return `Signature expired: ${isoBasic(end)} is now earlier than ${isoBasic(e.context.serverTime ?? Date.now())}`;
}

const s3MalformedCode = (e: AuthError) =>
  e.context.presigned ? "AuthorizationQueryParametersError" : "AuthorizationHeaderMalformed";
const s3MalformedPrefix = (e: AuthError) =>
  e.context.presigned ? "Error parsing the X-Amz-Credential parameter; " : "The authorization header is malformed; ";

// SQS (JSON, query-compatible) and STS (Query) share the coral/IAM vocabulary.
function coral(code: string, queryCode: string, status: number, message?: ErrorEntry["message"]): ErrorEntry {
  return { code, queryCode, status, message };
}

const SQS_SIG = coral("InvalidSignatureException", "SignatureDoesNotMatch", 403, SIG_MISMATCH_CORAL);
const STS_SIG = coral("SignatureDoesNotMatch", "SignatureDoesNotMatch", 403, SIG_MISMATCH_CORAL);
const DDB_SIG: ErrorEntry = { code: "InvalidSignatureException", status: 400, message: SIG_MISMATCH_CORAL };
const S3_SIG: ErrorEntry = {
  code: "SignatureDoesNotMatch",
  status: 403,
  message: SIG_MISMATCH_S3,
  extra: s3SignatureExtra,
};
const SQS_INCOMPLETE = coral("IncompleteSignatureException", "IncompleteSignature", 400);
const STS_INCOMPLETE = coral("IncompleteSignature", "IncompleteSignature", 400);
const DDB_INCOMPLETE: ErrorEntry = { code: "IncompleteSignatureException", status: 400 };
const S3_DATE: ErrorEntry = { code: "AccessDenied", status: 403, message: "AWS authentication requires a valid Date or x-amz-date header" };
const notBasicFormat = (e: AuthError): string =>
  `Date must be in ISO-8601 'basic format'. Got '${e.context.argumentValue ?? ""}'. See http://en.wikipedia.org/wiki/ISO_8601`;

/** Signature-class failures: same answer as a wrong signature outside S3. */
const sigRow = (s3: ErrorEntry): Row => ({ s3, sqs: SQS_SIG, sts: STS_SIG, dynamodb: DDB_SIG, default: STS_SIG });
/** Framing failures only S3 can meet (aws-chunked); elsewhere they read as a malformed request. */
const s3OnlyRow = (s3: ErrorEntry): Row => ({
  s3,
  sqs: SQS_INCOMPLETE,
  sts: STS_INCOMPLETE,
  dynamodb: DDB_INCOMPLETE,
  default: STS_INCOMPLETE,
});

export const ERROR_TABLE: Record<AuthFailure, Row> = {
  missing: {
    s3: { code: "AccessDenied", status: 403, message: "Access Denied" },
    sqs: coral("MissingAuthenticationTokenException", "MissingAuthenticationToken", 403, MISSING_TOKEN),
    sts: coral("MissingAuthenticationToken", "MissingAuthenticationToken", 403, MISSING_TOKEN),
    dynamodb: { code: "MissingAuthenticationTokenException", status: 400, message: MISSING_TOKEN },
    default: coral("MissingAuthenticationToken", "MissingAuthenticationToken", 403, MISSING_TOKEN),
  },
  malformed: {
    s3: { code: s3MalformedCode, status: 400, message: (e) => (e.context.presigned ? e.message : s3MalformedPrefix(e) + e.message) },
    sqs: SQS_INCOMPLETE,
    sts: STS_INCOMPLETE,
    dynamodb: DDB_INCOMPLETE,
    default: STS_INCOMPLETE,
  },
  unsupported: {
    s3: {
      code: "InvalidRequest",
      status: 400,
      message: "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
    },
    sqs: SQS_INCOMPLETE,
    sts: STS_INCOMPLETE,
    dynamodb: DDB_INCOMPLETE,
    default: STS_INCOMPLETE,
  },
  multiple_auth: {
    s3: {
      code: "InvalidArgument",
      status: 400,
      message:
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
      extra: () => ({ ArgumentName: "Authorization", ArgumentValue: "" }),
    },
    sqs: SQS_INCOMPLETE,
    sts: STS_INCOMPLETE,
    dynamodb: DDB_INCOMPLETE,
    default: STS_INCOMPLETE,
  },
  date_missing: {
    s3: S3_DATE,
    sqs: { ...SQS_INCOMPLETE, message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header." },
    sts: { ...STS_INCOMPLETE, message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header." },
    dynamodb: { ...DDB_INCOMPLETE, message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header." },
    default: { ...STS_INCOMPLETE, message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header." },
  },
  // What the coral services answered for a malformed X-Amz-Date (SQS, recorded in
  // brendanhay/amazonka#5; SWF, umegaya/lua-aws#18): IncompleteSignature, quoting the value.
  date_malformed: {
    s3: S3_DATE,
    sqs: { ...SQS_INCOMPLETE, message: notBasicFormat },
    sts: { ...STS_INCOMPLETE, message: notBasicFormat },
    dynamodb: { ...DDB_INCOMPLETE, message: notBasicFormat },
    default: { ...STS_INCOMPLETE, message: notBasicFormat },
  },
  unknown_key: {
    s3: {
      code: "InvalidAccessKeyId",
      status: 403,
      message: "The AWS Access Key Id you provided does not exist in our records.",
      extra: (e) => ({ AWSAccessKeyId: e.context.accessKeyId ?? "" }),
    },
    sqs: coral("UnrecognizedClientException", "InvalidClientTokenId", 403, INVALID_TOKEN),
    sts: coral("InvalidClientTokenId", "InvalidClientTokenId", 403, INVALID_TOKEN),
    dynamodb: { code: "UnrecognizedClientException", status: 400, message: INVALID_TOKEN },
    default: coral("InvalidClientTokenId", "InvalidClientTokenId", 403, INVALID_TOKEN),
  },
  bad_signature: sigRow(S3_SIG),
  skewed: {
    s3: {
      code: "RequestTimeTooSkewed",
      status: 403,
      message: "The difference between the request time and the current time is too large.",
      extra: (e) => ({
        RequestTime: isoBasic(e.context.requestTime ?? 0),
        ServerTime: isoSeconds(e.context.serverTime ?? Date.now()),
        MaxAllowedSkewMilliseconds: MAX_SKEW_MS,
      }),
    },
    sqs: { ...SQS_SIG, message: coralSkew },
    sts: { ...STS_SIG, message: coralSkew },
    dynamodb: { ...DDB_SIG, message: coralSkew },
    default: { ...STS_SIG, message: coralSkew },
  },
  expired: {
    s3: {
      code: "AccessDenied",
      status: 403,
      message: "Request has expired",
      extra: (e) =>
        e.context.expiresAt !== undefined
          ? { Expires: isoSeconds(e.context.expiresAt), ServerTime: isoSeconds(e.context.serverTime ?? Date.now()) }
          : {
              "X-Amz-Expires": e.context.expires ?? 0,
              Expires: isoSeconds((e.context.requestTime ?? 0) + (e.context.expires ?? 0) * 1000),
              ServerTime: isoSeconds(e.context.serverTime ?? Date.now()),
            },
    },
    sqs: coral("RequestExpired", "RequestExpired", 400, "Request has expired."),
    sts: coral("RequestExpired", "RequestExpired", 400, "Request has expired."),
    dynamodb: { ...DDB_SIG, message: coralExpired },
    default: coral("RequestExpired", "RequestExpired", 400, "Request has expired."),
  },
  not_yet_valid: {
    s3: { code: "AccessDenied", status: 403, message: "Request is not valid yet" },
    sqs: { ...SQS_SIG, message: coralSkew },
    sts: { ...STS_SIG, message: coralSkew },
    dynamodb: { ...DDB_SIG, message: coralSkew },
    default: { ...STS_SIG, message: coralSkew },
  },
  scope_region: {
    s3: {
      code: s3MalformedCode,
      status: 400,
      message: (e) => `${s3MalformedPrefix(e)}the region '${e.context.region}' is wrong; expecting '${e.context.expectedRegion}'`,
      extra: (e) => ({ Region: e.context.expectedRegion }),
    },
    sqs: { ...SQS_SIG, message: "Credential should be scoped to a valid region. " },
    sts: { ...STS_SIG, message: "Credential should be scoped to a valid region. " },
    dynamodb: { ...DDB_SIG, message: "Credential should be scoped to a valid region. " },
    default: { ...STS_SIG, message: "Credential should be scoped to a valid region. " },
  },
  scope_service: {
    s3: {
      code: s3MalformedCode,
      status: 400,
      message: (e) => `${s3MalformedPrefix(e)}incorrect service "${e.context.service}". This endpoint belongs to "s3".`,
    },
    sqs: { ...SQS_SIG, message: "Credential should be scoped to correct service: 'sqs'. " },
    sts: { ...STS_SIG, message: "Credential should be scoped to correct service: 'sts'. " },
    dynamodb: { ...DDB_SIG, message: "Credential should be scoped to correct service: 'dynamodb'. " },
    default: { ...STS_SIG, message: (e) => `Credential should be scoped to correct service: '${e.context.expectedService}'. ` },
  },
  scope_date: {
    s3: {
      code: s3MalformedCode,
      status: 400,
      message: (e) =>
        `${s3MalformedPrefix(e)}Invalid credential date. Date is not the same as X-Amz-Date: "${e.context.amzDate?.slice(0, 8)}".`,
    },
    ...(() => {
      const msg = (e: AuthError) =>
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${e.context.scopeDate}' != '${e.context.amzDate?.slice(0, 8)}', from '${e.context.amzDate}'.`;
      return {
        sqs: { ...SQS_SIG, message: msg },
        sts: { ...STS_SIG, message: msg },
        dynamodb: { ...DDB_SIG, message: msg },
        default: { ...STS_SIG, message: msg },
      };
    })(),
  },
  payload_hash: sigRow({
    code: "XAmzContentSHA256Mismatch",
    status: 400,
    message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
    extra: (e) => ({
      ClientComputedContentSHA256: e.context.clientSha256 ?? "",
      S3ComputedContentSHA256: e.context.computedSha256 ?? "",
    }),
  }),
  content_sha256_missing: s3OnlyRow({
    code: "InvalidRequest",
    status: 400,
    message: "Missing required header for this request: x-amz-content-sha256",
  }),
  content_sha256_invalid: s3OnlyRow({
    code: "InvalidArgument",
    status: 400,
    message:
      "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.",
    extra: (e) => ({ ArgumentName: "x-amz-content-sha256", ArgumentValue: e.context.argumentValue ?? "" }),
  }),
  unsigned_header_required: {
    s3: {
      code: "AccessDenied",
      status: 403,
      message: "There were headers present in the request which were not signed",
      extra: (e) => ({ HeadersNotSigned: (e.context.headersNotSigned ?? []).join(", ") }),
    },
    sqs: { ...SQS_INCOMPLETE, message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." },
    sts: { ...STS_INCOMPLETE, message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." },
    dynamodb: { ...DDB_INCOMPLETE, message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." },
    default: { ...STS_INCOMPLETE, message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." },
  },
  chunk_signature: sigRow(S3_SIG),
  trailer_signature: sigRow(S3_SIG),
  chunk_malformed: s3OnlyRow({ code: "IncompleteBody", status: 400, message: (e) => e.message || INCOMPLETE_BODY }),
  chunk_size: s3OnlyRow({
    code: "InvalidChunkSizeError",
    status: 403,
    message: "Only the last chunk is allowed to have a size less than 8192 bytes",
    extra: (e) => ({ Chunk: e.context.chunkIndex ?? 0, BadChunkSize: e.context.badChunkSize ?? 0 }),
  }),
  incomplete_body: s3OnlyRow({ code: "IncompleteBody", status: 400, message: INCOMPLETE_BODY }),
  decoded_length_missing: s3OnlyRow({
    code: "MissingContentLength",
    status: 411,
    message: "You must provide the Content-Length HTTP header.",
  }),
  trailer_malformed: s3OnlyRow({
    code: "MalformedTrailerError",
    status: 400,
    message: "The request contained trailing data that was not well-formed or did not conform to our published schema.",
  }),
  body_too_large: {
    s3: { code: "EntityTooLarge", status: 400, message: "Your proposed upload exceeds the maximum allowed size" },
    sqs: coral("RequestEntityTooLarge", "RequestEntityTooLarge", 413, "Request is too large."),
    sts: coral("RequestEntityTooLarge", "RequestEntityTooLarge", 413, "Request is too large."),
    dynamodb: {
      code: "RequestEntityTooLarge",
      status: 413,
      message: (e) => `Request must be smaller than ${e.context.maxBytes ?? 0} bytes for the operation.`,
    },
    default: coral("RequestEntityTooLarge", "RequestEntityTooLarge", 413, "Request is too large."),
  },
};
