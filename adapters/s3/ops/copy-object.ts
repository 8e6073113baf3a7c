// CopyObject: metadata and tagging directives, copy-source preconditions, destination
// conditional writes. A copy onto itself (REPLACE) reuses the data in place; any other
// copy streams the bytes into fresh chunks, so no chunk is ever shared between objects.

import { keys, decodeManifest, type ObjectManifest, type StoredChecksum } from "../keyspace.ts";
import { S3Errors } from "../wire/errors.ts";
import { checkKey } from "../wire/names.ts";
import { parseObjectHeaders, SSE_HEADER, SSE_S3 } from "../wire/object-headers.ts";
import { parseTaggingHeader } from "../wire/tags.ts";
import { parseWriteConditions } from "../wire/conditionals.ts";
import { parseAlgorithm } from "../wire/checksum-headers.ts";
import { parseCopySource } from "../wire/copy-source.ts";
import { isoDate, xmlResponse } from "../wire/xml-io.ts";
import { objectBytes } from "../storage/chunk-reader.ts";
import { releaseLease, writeChunks } from "../storage/chunk-writer.ts";
import { commitManifest, leaseExpiredToS3 } from "./commit.ts";
import { bodyDigests, computedChecksum, rejectUnsupportedHeaders, verifyDigests } from "./put-object.ts";
import { readCopySource } from "./get-object.ts";
import { requireBucket, type S3Call } from "./call.ts";

const MAX_COPY_BYTES = 5 * 1024 ** 3;

function directive(h: Headers, name: string): "COPY" | "REPLACE" {
  const v = h.get(name);
  if (v === null) return "COPY";
  const up = v.toUpperCase();
  if (up !== "COPY" && up !== "REPLACE") {
    throw S3Errors.invalidArgument(name === "x-amz-metadata-directive" ? "Unknown metadata directive." : "Unknown tagging directive.", name, v);
  }
  return up;
}

export async function copyObject(call: S3Call): Promise<Response> {
  const { ctx, headers: h, req } = call;
  checkKey(call.key);
  rejectUnsupportedHeaders(h);
  const src = parseCopySource(h.get("x-amz-copy-source")!);
  const metaDirective = directive(h, "x-amz-metadata-directive");
  const tagDirective = directive(h, "x-amz-tagging-directive");
  const conditions = parseWriteConditions(h);
  const wantAlg = parseAlgorithm(h.get("x-amz-checksum-algorithm"), "x-amz-checksum-algorithm");
  await requireBucket(call);
  const m = await readCopySource(ctx, src, h, call.signal);
  if (m.size > MAX_COPY_BYTES) {
    throw S3Errors.invalidRequest(`The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_COPY_BYTES}`);
  }
  const self = src.bucket === call.bucket && src.key === call.key;
  // A website redirect location in the request counts as a change even when it equals the
  // source's (LocalStack's AWS-validated test_s3_copy_object_in_place_website_redirect_location).
  const changesStorage = h.has("x-amz-storage-class") || h.has("x-amz-server-side-encryption") || h.has("x-amz-website-redirect-location") || wantAlg !== undefined;
  if (self && metaDirective === "COPY" && !changesStorage) {
    throw S3Errors.invalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
  }
  const sent = parseObjectHeaders(h);
  // The redirect location is not copied with the metadata: the copy has the request's, or none
  // ("To copy the value, you must specify x-amz-website-redirect-location", CopyObject reference).
  const headers = metaDirective === "REPLACE" ? sent : { ...m.headers, storageClass: sent.storageClass ?? m.headers.storageClass, websiteRedirect: sent.websiteRedirect };
  const tags = tagDirective === "REPLACE" ? parseTaggingHeader(h) ?? [] : m.tags;
  const base = {
    lastModified: Date.now(),
    headers,
    tags: tags && tags.length ? tags : undefined,
    ownerId: req.principal.ownerId,
    ownerName: req.principal.displayName,
  };
  let manifest: ObjectManifest;
  let lease: string | undefined;
  const alg = wantAlg ?? m.checksum?.algorithm;
  const reuse = self && (wantAlg === undefined || wantAlg === m.checksum?.algorithm);
  if (reuse) {
    manifest = { ...m, ...base };
  } else {
    const digests = bodyDigests(computedChecksum(alg));
    const written = await writeChunks(ctx, objectBytes(ctx, m, 0, m.size, call.signal), { signal: call.signal, digests: digests.list });
    lease = written.segment.id;
    try {
      const v = await verifyDigests(digests, undefined, Promise.resolve(new Headers()));
      const checksum: StoredChecksum | undefined = v.checksum ? { ...v.checksum, type: "FULL_OBJECT" } : undefined;
      manifest = { ...base, size: written.size, etag: v.md5Hex, checksum, segments: written.size > 0 ? [written.segment] : [] };
    } catch (err) {
      await releaseLease(ctx, lease);
      throw err;
    }
  }
  try {
    await commitManifest(ctx, {
      bucket: call.bucket,
      key: call.key,
      manifest,
      leases: lease ? [lease] : [],
      conditions,
      signal: call.signal,
      also: reuse
        ? async (txn) => {
            // The reused data must still be the source's: a concurrent overwrite retired it.
            const raw = await txn.get(keys.object(call.bucket, call.key));
            const cur = raw ? decodeManifest(raw) : undefined;
            const same = cur && cur.etag === m.etag && cur.lastModified === m.lastModified &&
              cur.segments.length === m.segments.length && cur.segments.every((s, i) => s.id === m.segments[i]!.id);
            if (!same) throw S3Errors.preconditionFailed("x-amz-copy-source");
          }
        : undefined,
    });
  } catch (err) {
    if (lease) await releaseLease(ctx, lease);
    throw leaseExpiredToS3(err);
  }
  const out = new Headers({ [SSE_HEADER]: SSE_S3 });
  const c = manifest.checksum;
  return xmlResponse(
    "CopyObjectResult",
    {
      ETag: `"${manifest.etag}"`,
      LastModified: isoDate(manifest.lastModified),
      ...(c && c.type === "FULL_OBJECT" ? { [`Checksum${c.algorithm}`]: c.value, ChecksumType: c.type } : {}),
    },
    { headers: out },
  );
}

