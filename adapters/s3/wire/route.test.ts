import { describe, expect, it } from "vitest";
import { allOperationNames, resolveRoute, ROUTES, type Target } from "./route.ts";
import { OPERATIONS } from "../ops/table.ts";

const q = (s: string) => new URLSearchParams(s);
const none = new Headers();
const route = (method: string, target: Target, query = "", headers = none) => resolveRoute(method, target, q(query), headers);

describe("route table", () => {
  it("routes by method, target and sub-resource", () => {
    expect(route("GET", "service")).toMatchObject({ kind: "route", op: "ListBuckets" });
    expect(route("PUT", "bucket")).toMatchObject({ op: "CreateBucket" });
    expect(route("GET", "bucket", "list-type=2&prefix=a")).toMatchObject({ op: "ListObjectsV2" });
    expect(route("GET", "bucket", "prefix=a")).toMatchObject({ op: "ListObjects" });
    expect(route("GET", "bucket", "versions")).toMatchObject({ op: "ListObjectVersions" });
    expect(route("GET", "bucket", "versioning")).toMatchObject({ op: "GetBucketVersioning" });
    expect(route("POST", "bucket", "delete")).toMatchObject({ op: "DeleteObjects" });
    expect(route("PUT", "object", "partNumber=1&uploadId=u")).toMatchObject({ op: "UploadPart" });
    expect(route("PUT", "object", "partNumber=1&uploadId=u", new Headers({ "x-amz-copy-source": "b/k" }))).toMatchObject({ op: "UploadPartCopy" });
    expect(route("PUT", "object", "", new Headers({ "x-amz-copy-source": "b/k" }))).toMatchObject({ op: "CopyObject" });
    expect(route("PUT", "object", "x-id=PutObject")).toMatchObject({ kind: "route", op: "PutObject" });
    // Presigned URLs: SigV2's parameters, and the headers the JS SDK v2 hoists into the query.
    expect(route("PUT", "object", "AWSAccessKeyId=a&Signature=s&Expires=1")).toMatchObject({ kind: "route", op: "PutObject" });
    expect(route("PUT", "object", "Content-Type=text%2Fplain&X-Amz-Signature=s")).toMatchObject({ kind: "route", op: "PutObject" });
    expect(route("POST", "object", "uploads")).toMatchObject({ op: "CreateMultipartUpload" });
    expect(route("POST", "object", "uploadId=u")).toMatchObject({ op: "CompleteMultipartUpload" });
    expect(route("DELETE", "object", "uploadId=u")).toMatchObject({ op: "AbortMultipartUpload" });
    expect(route("GET", "object", "attributes")).toMatchObject({ op: "GetObjectAttributes" });
  });

  it("never treats an unsupported sub-resource as a plain write", () => {
    for (const sub of ["policy", "cors", "lifecycle", "object-lock", "website", "replication", "versioning", "whatever"]) {
      const r = route("PUT", "bucket", sub);
      expect(r.kind, sub).not.toBe("route");
    }
    for (const sub of ["retention", "legal-hold", "whatever"]) {
      const r = route("PUT", "object", sub);
      expect(r.kind, sub).not.toBe("route");
    }
    // ACL writes have handlers of their own (ops/acl.ts), never PutObject's or CreateBucket's.
    expect(route("PUT", "bucket", "acl")).toMatchObject({ kind: "route", op: "PutBucketAcl" });
    expect(route("PUT", "object", "acl")).toMatchObject({ kind: "route", op: "PutObjectAcl" });
    // Configurations held at their defaults have handlers that accept only the default.
    expect(route("PUT", "bucket", "encryption")).toMatchObject({ kind: "route", op: "PutBucketEncryption" });
    expect(route("DELETE", "bucket", "policy")).toMatchObject({ kind: "route", op: "DeleteBucketPolicy" });
    expect(route("POST", "object", "restore").kind).toBe("rejected");
    expect(route("POST", "object", "select&select-type=2").kind).toBe("rejected");
    expect(route("POST", "bucket").kind).toBe("method-not-allowed");
  });

  it("answers documented defaults for unsupported configuration reads", () => {
    expect(route("GET", "bucket", "cors")).toMatchObject({ kind: "rejected", getDefault: { kind: "error", code: "NoSuchCORSConfiguration" } });
    expect(route("GET", "bucket", "notification")).toMatchObject({ getDefault: { kind: "xml", root: "NotificationConfiguration" } });
    expect(route("GET", "bucket", "encryption")).toMatchObject({ getDefault: { kind: "xml", root: "ServerSideEncryptionConfiguration" } });
    expect(route("PUT", "bucket", "cors")).toMatchObject({ kind: "rejected", op: "PutBucketCors" });
    expect(route("PUT", "bucket", "cors")).not.toHaveProperty("getDefault.kind");
  });

  it("has a handler for every routed operation and bounded operation names", () => {
    for (const r of ROUTES) expect(OPERATIONS[r.op], r.op).toBeTypeOf("function");
    const names = allOperationNames();
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain("PutBucketPolicy");
  });
});
