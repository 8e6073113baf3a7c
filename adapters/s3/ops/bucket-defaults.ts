// Bucket configurations the gateway holds at S3's defaults for a new bucket: SSE-S3
// encryption, all public access blocked, Object Ownership BucketOwnerEnforced, and no
// policy, CORS, lifecycle, website or replication. A write that asks for the default
// succeeds (it changes nothing), as does deleting a configuration that is not there, or
// one that cannot be lifted here (see deleteKeptDefault); anything else would need a
// feature we do not have and answers NotImplemented. Tools
// that declare the defaults explicitly (Terraform's aws_s3_bucket_public_access_block,
// _ownership_controls, _server_side_encryption_configuration) then work.
// The reads are the route table's documented defaults (wire/route.ts).

import { S3Errors } from "../wire/errors.ts";
import { asArray, textOf } from "../wire/xml-io.ts";
import { emptyResponse, readXml, requireBucket, type S3Call } from "./call.ts";

type Doc = Record<string, unknown>;

const child = (d: unknown, name: string): Doc => {
  const v = asArray((d as Doc | undefined)?.[name])[0];
  return typeof v === "object" && v !== null ? (v as Doc) : {};
};

/** Accept `config` if `isDefault` says it is S3's default, else NotImplemented. */
async function putDefault(call: S3Call, root: string, isDefault: (doc: Doc) => boolean, what: string): Promise<Response> {
  await requireBucket(call);
  const doc = await readXml(call, root);
  if (!isDefault(doc)) throw S3Errors.notImplemented(`Only the default ${what} is supported`);
  return emptyResponse(200);
}

export const putPublicAccessBlock = (call: S3Call) =>
  putDefault(call, "PublicAccessBlockConfiguration", (d) =>
    ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"].every((k) => textOf(d[k])?.trim() === "true"),
  "public access block (all four settings true)");

export const putBucketOwnershipControls = (call: S3Call) =>
  putDefault(call, "OwnershipControls", (d) => {
    const rules = asArray(d["Rule"]);
    return rules.length === 1 && textOf(child(d, "Rule")["ObjectOwnership"])?.trim() === "BucketOwnerEnforced";
  }, "object ownership (BucketOwnerEnforced)");

export const putBucketEncryption = (call: S3Call) =>
  putDefault(call, "ServerSideEncryptionConfiguration", (d) => {
    const rules = asArray(d["Rule"]);
    const byDefault = child(child(d, "Rule"), "ApplyServerSideEncryptionByDefault");
    return rules.length === 1 && textOf(byDefault["SSEAlgorithm"])?.trim() === "AES256" && byDefault["KMSMasterKeyID"] === undefined;
  }, "encryption (SSE-S3, AES256)");

/** Deleting what is not configured (or resetting encryption to its default) changes nothing. */
export async function deleteUnconfigured(call: S3Call): Promise<Response> {
  await requireBucket(call);
  return emptyResponse(204);
}

/**
 * Deleting the public access block or the ownership controls is accepted and changes
 * nothing. With no bucket policies, no ACLs and no anonymous requests served here, a bucket
 * blocks public access and keeps ACLs disabled with or without them, and its reads keep
 * saying so. Refusing failed every `terraform destroy` of a bucket declared with
 * aws_s3_bucket_public_access_block or _ownership_controls, leaving the bucket behind.
 */
export async function deleteKeptDefault(call: S3Call): Promise<Response> {
  await requireBucket(call);
  return emptyResponse(204);
}
