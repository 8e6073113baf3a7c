// The route table: HTTP method x target (service, bucket, object) x sub-resource -> one
// operation name. Read it top to bottom; the first row that matches wins. Sub-resources
// we do not serve sit in one rejection table and answer NotImplemented (or AWS's
// documented default for a read), so nothing unsupported is ever mistaken for a
// PutObject or a CreateBucket.

export type Target = "service" | "bucket" | "object";

export interface RouteRow {
  method: string;
  target: Target;
  /** Query parameter that must be present. */
  sub?: string;
  /** Header that must be present. */
  header?: string;
  /** Extra predicate on the query. */
  when?: (q: URLSearchParams) => boolean;
  op: string;
}

export const ROUTES: readonly RouteRow[] = [
  { method: "GET", target: "service", op: "ListBuckets" },

  { method: "PUT", target: "bucket", sub: "tagging", op: "PutBucketTagging" },
  { method: "PUT", target: "bucket", sub: "acl", op: "PutBucketAcl" },
  // Configurations held at S3's defaults: setting the default, or deleting what is not
  // there, is served (ops/bucket-defaults.ts); the rest stays in REJECTED_BUCKET.
  { method: "PUT", target: "bucket", sub: "publicAccessBlock", op: "PutPublicAccessBlock" },
  { method: "PUT", target: "bucket", sub: "ownershipControls", op: "PutBucketOwnershipControls" },
  { method: "PUT", target: "bucket", sub: "encryption", op: "PutBucketEncryption" },
  { method: "DELETE", target: "bucket", sub: "encryption", op: "DeleteBucketEncryption" },
  { method: "DELETE", target: "bucket", sub: "policy", op: "DeleteBucketPolicy" },
  { method: "DELETE", target: "bucket", sub: "cors", op: "DeleteBucketCors" },
  { method: "DELETE", target: "bucket", sub: "lifecycle", op: "DeleteBucketLifecycle" },
  { method: "DELETE", target: "bucket", sub: "website", op: "DeleteBucketWebsite" },
  { method: "DELETE", target: "bucket", sub: "replication", op: "DeleteBucketReplication" },
  { method: "PUT", target: "bucket", sub: "notification", op: "PutBucketNotificationConfiguration" },
  { method: "PUT", target: "bucket", sub: "requestPayment", op: "PutBucketRequestPayment" },
  { method: "GET", target: "bucket", sub: "publicAccessBlock", op: "GetPublicAccessBlock" },
  { method: "GET", target: "bucket", sub: "ownershipControls", op: "GetBucketOwnershipControls" },
  { method: "DELETE", target: "bucket", sub: "publicAccessBlock", op: "DeletePublicAccessBlock" },
  { method: "DELETE", target: "bucket", sub: "ownershipControls", op: "DeleteBucketOwnershipControls" },
  { method: "PUT", target: "bucket", op: "CreateBucket" },
  { method: "HEAD", target: "bucket", op: "HeadBucket" },
  { method: "DELETE", target: "bucket", sub: "tagging", op: "DeleteBucketTagging" },
  { method: "DELETE", target: "bucket", op: "DeleteBucket" },
  { method: "GET", target: "bucket", sub: "location", op: "GetBucketLocation" },
  { method: "GET", target: "bucket", sub: "tagging", op: "GetBucketTagging" },
  { method: "GET", target: "bucket", sub: "versioning", op: "GetBucketVersioning" },
  { method: "GET", target: "bucket", sub: "versions", op: "ListObjectVersions" },
  { method: "GET", target: "bucket", sub: "uploads", op: "ListMultipartUploads" },
  { method: "GET", target: "bucket", sub: "acl", op: "GetBucketAcl" },
  { method: "GET", target: "bucket", when: (q) => q.get("list-type") === "2", op: "ListObjectsV2" },
  { method: "GET", target: "bucket", op: "ListObjects" },
  { method: "POST", target: "bucket", sub: "delete", op: "DeleteObjects" },

  { method: "PUT", target: "object", sub: "tagging", op: "PutObjectTagging" },
  { method: "PUT", target: "object", sub: "acl", op: "PutObjectAcl" },
  { method: "PUT", target: "object", sub: "uploadId", header: "x-amz-copy-source", op: "UploadPartCopy" },
  { method: "PUT", target: "object", sub: "uploadId", op: "UploadPart" },
  { method: "PUT", target: "object", header: "x-amz-copy-source", op: "CopyObject" },
  { method: "PUT", target: "object", op: "PutObject" },
  { method: "GET", target: "object", sub: "tagging", op: "GetObjectTagging" },
  { method: "GET", target: "object", sub: "attributes", op: "GetObjectAttributes" },
  { method: "GET", target: "object", sub: "uploadId", op: "ListParts" },
  { method: "GET", target: "object", sub: "acl", op: "GetObjectAcl" },
  { method: "GET", target: "object", op: "GetObject" },
  { method: "HEAD", target: "object", op: "HeadObject" },
  { method: "DELETE", target: "object", sub: "tagging", op: "DeleteObjectTagging" },
  { method: "DELETE", target: "object", sub: "uploadId", op: "AbortMultipartUpload" },
  { method: "DELETE", target: "object", op: "DeleteObject" },
  { method: "POST", target: "object", sub: "uploads", op: "CreateMultipartUpload" },
  { method: "POST", target: "object", sub: "uploadId", op: "CompleteMultipartUpload" },
];

/**
 * A read of a configuration we do not support answers what AWS answers for a bucket that
 * has none: an error code, or an empty document.
 */
export type DefaultAnswer =
  | { kind: "error"; code: string; status: number; message: string }
  | { kind: "xml"; root: string; body: Record<string, unknown> };

export interface Rejection {
  /** AWS operation name per method; a method missing here is MethodNotAllowed. */
  ops: Partial<Record<string, string>>;
  /** Default answer for GET, when AWS has one for an unconfigured bucket. */
  getDefault?: DefaultAnswer;
}

const notFound = (code: string, message: string): DefaultAnswer => ({ kind: "error", code, status: 404, message });

/** Unsupported bucket sub-resources. */
export const REJECTED_BUCKET: Readonly<Record<string, Rejection>> = {
  policy: {
    ops: { GET: "GetBucketPolicy", PUT: "PutBucketPolicy", DELETE: "DeleteBucketPolicy" },
    getDefault: notFound("NoSuchBucketPolicy", "The bucket policy does not exist"),
  },
  policyStatus: {
    ops: { GET: "GetBucketPolicyStatus" },
    getDefault: notFound("NoSuchBucketPolicy", "The bucket policy does not exist"),
  },
  cors: {
    ops: { GET: "GetBucketCors", PUT: "PutBucketCors", DELETE: "DeleteBucketCors" },
    getDefault: notFound("NoSuchCORSConfiguration", "The CORS configuration does not exist"),
  },
  lifecycle: {
    ops: { GET: "GetBucketLifecycleConfiguration", PUT: "PutBucketLifecycleConfiguration", DELETE: "DeleteBucketLifecycle" },
    getDefault: notFound("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"),
  },
  "object-lock": {
    ops: { GET: "GetObjectLockConfiguration", PUT: "PutObjectLockConfiguration" },
    getDefault: notFound("ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket"),
  },
  encryption: {
    ops: { GET: "GetBucketEncryption", PUT: "PutBucketEncryption", DELETE: "DeleteBucketEncryption" },
    // Every bucket encrypts with SSE-S3 by default (since January 2023).
    getDefault: {
      kind: "xml",
      root: "ServerSideEncryptionConfiguration",
      body: { Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: false } },
    },
  },
  notification: {
    ops: { GET: "GetBucketNotificationConfiguration", PUT: "PutBucketNotificationConfiguration" },
    getDefault: { kind: "xml", root: "NotificationConfiguration", body: {} },
  },
  website: {
    ops: { GET: "GetBucketWebsite", PUT: "PutBucketWebsite", DELETE: "DeleteBucketWebsite" },
    getDefault: notFound("NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration"),
  },
  logging: {
    ops: { GET: "GetBucketLogging", PUT: "PutBucketLogging" },
    getDefault: { kind: "xml", root: "BucketLoggingStatus", body: {} },
  },
  replication: {
    ops: { GET: "GetBucketReplication", PUT: "PutBucketReplication", DELETE: "DeleteBucketReplication" },
    getDefault: notFound("ReplicationConfigurationNotFoundError", "The replication configuration was not found"),
  },
  accelerate: {
    ops: { GET: "GetBucketAccelerateConfiguration", PUT: "PutBucketAccelerateConfiguration" },
    getDefault: { kind: "xml", root: "AccelerateConfiguration", body: {} },
  },
  requestPayment: {
    ops: { GET: "GetBucketRequestPayment", PUT: "PutBucketRequestPayment" },
    getDefault: { kind: "xml", root: "RequestPaymentConfiguration", body: { Payer: "BucketOwner" } },
  },
  // Served in ROUTES (ops/bucket-defaults.ts); listed for their operation names.
  publicAccessBlock: { ops: { GET: "GetPublicAccessBlock", PUT: "PutPublicAccessBlock", DELETE: "DeletePublicAccessBlock" } },
  ownershipControls: { ops: { GET: "GetBucketOwnershipControls", PUT: "PutBucketOwnershipControls", DELETE: "DeleteBucketOwnershipControls" } },
  analytics: { ops: { GET: "GetBucketAnalyticsConfiguration", PUT: "PutBucketAnalyticsConfiguration", DELETE: "DeleteBucketAnalyticsConfiguration" } },
  inventory: { ops: { GET: "GetBucketInventoryConfiguration", PUT: "PutBucketInventoryConfiguration", DELETE: "DeleteBucketInventoryConfiguration" } },
  metrics: { ops: { GET: "GetBucketMetricsConfiguration", PUT: "PutBucketMetricsConfiguration", DELETE: "DeleteBucketMetricsConfiguration" } },
  "intelligent-tiering": { ops: { GET: "GetBucketIntelligentTieringConfiguration", PUT: "PutBucketIntelligentTieringConfiguration", DELETE: "DeleteBucketIntelligentTieringConfiguration" } },
  metadataTable: { ops: { GET: "GetBucketMetadataTableConfiguration", POST: "CreateBucketMetadataTableConfiguration", DELETE: "DeleteBucketMetadataTableConfiguration" } },
  session: { ops: { GET: "CreateSession" } },
  abac: { ops: { GET: "GetBucketAbac", PUT: "PutBucketAbac" } },
  // Enabling versioning is a later issue; reading it is served (see ROUTES).
  versioning: { ops: { PUT: "PutBucketVersioning" } },
};

/** Unsupported object sub-resources. */
export const REJECTED_OBJECT: Readonly<Record<string, Rejection>> = {
  retention: { ops: { GET: "GetObjectRetention", PUT: "PutObjectRetention" } },
  "legal-hold": { ops: { GET: "GetObjectLegalHold", PUT: "PutObjectLegalHold" } },
  torrent: { ops: { GET: "GetObjectTorrent" } },
  restore: { ops: { POST: "RestoreObject" } },
  select: { ops: { POST: "SelectObjectContent" } },
  renameObject: { ops: { PUT: "RenameObject" } },
};

/** Headers that ask for functionality we do not have, on any write. */
export const REJECTED_HEADERS: Readonly<Record<string, string>> = {
  "x-amz-object-lock-mode": "Object Lock",
  "x-amz-object-lock-retain-until-date": "Object Lock",
  "x-amz-object-lock-legal-hold": "Object Lock",
  "x-amz-bucket-object-lock-enabled": "Object Lock",
  "x-amz-server-side-encryption-customer-algorithm": "SSE-C",
  "x-amz-server-side-encryption-aws-kms-key-id": "SSE-KMS",
  "x-amz-write-offset-bytes": "appends",
};

/**
 * Query parameters any plain write may carry: SDK hints, presigned auth (SigV4's X-Amz-*,
 * SigV2's AWSAccessKeyId / Signature / Expires, which boto3 presigns by default), headers
 * the JS SDK v2 hoists into a presigned URL (Content-Type, Content-MD5), versionId.
 */
const GENERIC_WRITE_PARAMS = /^(x-id|x-amz-[a-z0-9-]+|versionId|AWSAccessKeyId|Signature|Expires|Content-Type|Content-MD5)$/i;

export type Resolution =
  | { kind: "route"; op: string; target: Target }
  | { kind: "rejected"; op: string; target: Target; getDefault?: DefaultAnswer }
  | { kind: "method-not-allowed"; target: Target };

export function resolveRoute(method: string, target: Target, query: URLSearchParams, headers: Headers): Resolution {
  const m = method === "HEAD" && target === "bucket" ? "HEAD" : method;
  if (target !== "service") {
    const table = target === "bucket" ? REJECTED_BUCKET : REJECTED_OBJECT;
    for (const name of query.keys()) {
      const rej = table[name];
      if (!rej) continue;
      // Served reads of a sub-resource whose write we reject (versioning, acl) fall through.
      const served = ROUTES.some((r) => r.method === m && r.target === target && r.sub === name);
      if (served) continue;
      const op = rej.ops[m];
      if (!op) return { kind: "method-not-allowed", target };
      return { kind: "rejected", op, target, getDefault: m === "GET" ? rej.getDefault : undefined };
    }
  }
  for (const r of ROUTES) {
    if (r.method !== m || r.target !== target) continue;
    if (r.sub !== undefined && !query.has(r.sub)) continue;
    if (r.header !== undefined && !headers.has(r.header)) continue;
    if (r.when && !r.when(query)) continue;
    if (r.sub === undefined && m !== "GET" && m !== "HEAD") {
      // A write with a query parameter we do not know names some sub-resource we do not
      // serve: refuse it rather than run the plain write.
      const unknown = [...query.keys()].find((k) => !GENERIC_WRITE_PARAMS.test(k));
      if (unknown !== undefined) return { kind: "rejected", op: r.op, target };
    }
    return { kind: "route", op: r.op, target };
  }
  return { kind: "method-not-allowed", target };
}

/** Every operation name the adapter can report (for bounded metric labels). */
export function allOperationNames(): string[] {
  const names = new Set<string>(ROUTES.map((r) => r.op));
  for (const table of [REJECTED_BUCKET, REJECTED_OBJECT]) {
    for (const rej of Object.values(table)) for (const op of Object.values(rej.ops)) if (op) names.add(op);
  }
  return [...names].sort();
}
