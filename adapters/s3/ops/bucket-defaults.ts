// Bucket configurations the gateway holds at S3's defaults for a new bucket: SSE-S3
// encryption, all public access blocked, Object Ownership BucketOwnerEnforced, no event
// notifications, the owner paying for requests, and no policy, CORS, lifecycle, website or
// replication. A write that asks for the default succeeds (it changes nothing), as does
// deleting a configuration that is not there; anything else would need a feature we do not
// have and answers NotImplemented. Tools that declare the defaults explicitly (Terraform's
// aws_s3_bucket_public_access_block, _ownership_controls,
// _server_side_encryption_configuration) then work. The other reads are the route table's
// documented defaults (wire/route.ts).
//
// The public access block and the ownership controls can be deleted: they then read as not
// configured, as on S3, until the default is put back. What the bucket does stays the same:
// with no policies, no ACLs and no anonymous requests served here, it admits only signed
// requests with or without them. Refusing the deletes failed every `terraform destroy` of a
// bucket declared with those resources, which waits until the configuration reads as gone.

import { S3Errors } from "../wire/errors.ts";
import { asArray, textOf, xmlResponse } from "../wire/xml-io.ts";
import type { RemovableDefault } from "../keyspace.ts";
import { emptyResponse, readXml, requireBucket, type S3Call } from "./call.ts";
import { updateBucket } from "./buckets.ts";

type Doc = Record<string, unknown>;

const child = (d: unknown, name: string): Doc => {
  const v = asArray((d as Doc | undefined)?.[name])[0];
  return typeof v === "object" && v !== null ? (v as Doc) : {};
};

/**
 * Accept `config` if `isDefault` says it is S3's default, else NotImplemented. Putting back
 * a default the owner deleted (`removable`) makes it read as configured again.
 */
async function putDefault(call: S3Call, root: string, isDefault: (doc: Doc) => boolean, what: string, removable?: RemovableDefault): Promise<Response> {
  const bucket = await requireBucket(call);
  const doc = await readXml(call, root);
  if (!isDefault(doc)) throw S3Errors.notImplemented(`Only the default ${what} is supported`);
  // Only a deleted default has anything to undo: declaring a default it has writes nothing.
  if (removable !== undefined && bucket.removedDefaults?.includes(removable)) await markRemoved(call, removable, false);
  return emptyResponse(200);
}

async function markRemoved(call: S3Call, config: RemovableDefault, removed: boolean): Promise<void> {
  await updateBucket(call, (b) => {
    const rest = (b.removedDefaults ?? []).filter((c) => c !== config);
    const next = removed ? [...rest, config] : rest;
    const { removedDefaults: _old, ...record } = b;
    return next.length ? { ...record, removedDefaults: next } : record;
  });
}

const ALL_BLOCKED = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

export async function getPublicAccessBlock(call: S3Call): Promise<Response> {
  const b = await requireBucket(call);
  if (b.removedDefaults?.includes("publicAccessBlock")) throw S3Errors.noSuchPublicAccessBlock(call.bucket);
  // New buckets block public access (since April 2023).
  return xmlResponse("PublicAccessBlockConfiguration", ALL_BLOCKED);
}

export async function getBucketOwnershipControls(call: S3Call): Promise<Response> {
  const b = await requireBucket(call);
  if (b.removedDefaults?.includes("ownershipControls")) throw S3Errors.noOwnershipControls(call.bucket);
  // New buckets disable ACLs (since April 2023); see ops/acl.ts.
  return xmlResponse("OwnershipControls", { Rule: { ObjectOwnership: "BucketOwnerEnforced" } });
}

export async function deletePublicAccessBlock(call: S3Call): Promise<Response> {
  await markRemoved(call, "publicAccessBlock", true);
  return emptyResponse(204);
}

export async function deleteBucketOwnershipControls(call: S3Call): Promise<Response> {
  await markRemoved(call, "ownershipControls", true);
  return emptyResponse(204);
}

export const putPublicAccessBlock = (call: S3Call) =>
  putDefault(call, "PublicAccessBlockConfiguration", (d) =>
    Object.keys(ALL_BLOCKED).every((k) => textOf(d[k])?.trim() === "true"),
  "public access block (all four settings true)", "publicAccessBlock");

export const putBucketOwnershipControls = (call: S3Call) =>
  putDefault(call, "OwnershipControls", (d) => {
    const rules = asArray(d["Rule"]);
    return rules.length === 1 && textOf(child(d, "Rule")["ObjectOwnership"])?.trim() === "BucketOwnerEnforced";
  }, "object ownership (BucketOwnerEnforced)", "ownershipControls");

export const putBucketEncryption = (call: S3Call) =>
  putDefault(call, "ServerSideEncryptionConfiguration", (d) => {
    const rules = asArray(d["Rule"]);
    const byDefault = child(child(d, "Rule"), "ApplyServerSideEncryptionByDefault");
    return rules.length === 1 && textOf(byDefault["SSEAlgorithm"])?.trim() === "AES256" && byDefault["KMSMasterKeyID"] === undefined;
  }, "encryption (SSE-S3, AES256)");

/** No destinations at all (Terraform's aws_s3_bucket_notification with none declared). */
export const putBucketNotificationConfiguration = (call: S3Call) =>
  putDefault(call, "NotificationConfiguration", (d) => Object.keys(d).every((k) => k.startsWith("@_")), "notification configuration (no destinations)");

export const putBucketRequestPayment = (call: S3Call) =>
  putDefault(call, "RequestPaymentConfiguration", (d) => textOf(d["Payer"])?.trim() === "BucketOwner", "request payment (BucketOwner)");

/** Deleting what is not configured (or resetting encryption to its default) changes nothing. */
export async function deleteUnconfigured(call: S3Call): Promise<Response> {
  await requireBucket(call);
  return emptyResponse(204);
}

