// ACLs as S3 has them on a bucket with Object Ownership "bucket owner enforced", the
// default for every bucket since April 2023 and the only mode here: ACLs are disabled.
// Reads answer the owner's FULL_CONTROL; a write may name no ACL or one that gives the
// owner full control (canned private / bucket-owner-full-control), anything else fails
// with AccessControlListNotSupported (CreateBucket: InvalidBucketAclWithObjectOwnership).
// See the S3 User Guide, "Troubleshooting" under Object Ownership.

import { S3Errors } from "../wire/errors.ts";
import { xmlResponse } from "../wire/xml-io.ts";
import { emptyResponse, requireBucket, type S3Call } from "./call.ts";
import { requireManifest } from "./get-object.ts";

const OWNER_ONLY_CANNED = new Set(["private", "bucket-owner-full-control"]);

const GRANT_HEADERS = [
  "x-amz-grant-full-control",
  "x-amz-grant-read",
  "x-amz-grant-read-acp",
  "x-amz-grant-write",
  "x-amz-grant-write-acp",
];

/** Does the request ask for an ACL beyond the owner's full control? */
function asksForAcl(h: Headers): boolean {
  const canned = h.get("x-amz-acl");
  if (canned !== null && !OWNER_ONLY_CANNED.has(canned.trim())) return true;
  return GRANT_HEADERS.some((g) => h.has(g));
}

/** For PutObject, CopyObject and CreateMultipartUpload. */
export function checkObjectAclHeaders(h: Headers): void {
  if (asksForAcl(h)) throw S3Errors.accessControlListNotSupported();
}

/**
 * For CreateBucket: ACL headers, and an Object Ownership other than the enforced one
 * (which would turn ACLs on: not supported).
 */
export function checkCreateBucketAcl(h: Headers): void {
  if (asksForAcl(h)) throw S3Errors.invalidBucketAclWithObjectOwnership();
  const ownership = h.get("x-amz-object-ownership");
  if (ownership !== null && ownership !== "BucketOwnerEnforced") {
    throw S3Errors.notImplemented("Object Ownership other than BucketOwnerEnforced (ACLs) is not implemented");
  }
}

export function aclXml(ownerId: string, displayName: string): Record<string, unknown> {
  const owner = { ID: ownerId, DisplayName: displayName };
  return {
    Owner: owner,
    AccessControlList: {
      Grant: {
        Grantee: { "@_xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "@_xsi:type": "CanonicalUser", ...owner },
        Permission: "FULL_CONTROL",
      },
    },
  };
}

export async function getBucketAcl(call: S3Call): Promise<Response> {
  const b = await requireBucket(call);
  return xmlResponse("AccessControlPolicy", aclXml(b.ownerId, b.ownerName));
}

export async function getObjectAcl(call: S3Call): Promise<Response> {
  const m = await requireManifest(call);
  return xmlResponse("AccessControlPolicy", aclXml(m.ownerId, m.ownerName));
}

/**
 * PutBucketAcl / PutObjectAcl: only a canned ACL that keeps the owner's full control is
 * accepted (it changes nothing); grants or an AccessControlPolicy body are ACLs.
 */
async function putAcl(call: S3Call, exists: Promise<unknown>): Promise<Response> {
  await exists;
  if (call.headers.get("x-amz-acl") === null || asksForAcl(call.headers)) throw S3Errors.accessControlListNotSupported();
  return emptyResponse(200);
}

export const putBucketAcl = (call: S3Call) => putAcl(call, requireBucket(call));
export const putObjectAcl = (call: S3Call) => putAcl(call, requireManifest(call));
