// Tag sets (of an object or a bucket) and the x-amz-tagging header: S3's limits and the
// exact errors it answers.
//
// Evidence: the user guide's tagging rules (keys 1-128 and values 0-256 UTF-16 positions of
// Unicode letters, numbers, white space and `_ . : / = + - @`; `aws:` is reserved) and
// responses recorded against AWS (LocalStack's test_s3_api.snapshot.json,
// test_tagging_validation / test_object_tagging_exc): each InvalidTag names the tag in
// TagKey (and TagValue), a bucket's `aws:` key is "System tags cannot be added/updated by
// requester", an object's "Your TagKey cannot be prefixed with aws:". More than 10 tags on an
// object is `BadRequest` "Object tags cannot be greater than 10" (boto/boto3#1213,
// terraform-aws-modules/terraform-aws-datadog-forwarders#24), checked after each tag
// (scality/cloudserver#4451, observed on AWS).

import type { Tag } from "../keyspace.ts";
import { S3Errors } from "./errors.ts";

// "White space" in the guide's words: \p{Z} and the ASCII spaces (tab, newline, ...).
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}\s_.:/=+\-@]*$/u;
const MAX_OBJECT_TAGS = 10;
const MAX_BUCKET_TAGS = 50;

type Owner = "object" | "bucket";

function validateTags(tags: Tag[], owner: Owner): Tag[] {
  const seen = new Set<string>();
  for (const { Key, Value } of tags) {
    if (seen.has(Key)) throw S3Errors.invalidTag("Cannot provide multiple Tags with the same key", { TagKey: Key });
    seen.add(Key);
    if (Key.startsWith("aws:")) {
      const message = owner === "bucket" ? "System tags cannot be added/updated by requester" : "Your TagKey cannot be prefixed with aws:";
      throw S3Errors.invalidTag(message, { TagKey: Key });
    }
    // Lengths in UTF-16 positions: "Amazon S3 object tags are internally represented in UTF-16".
    if (Key.length === 0 || Key.length > 128 || !TAG_TEXT.test(Key)) {
      throw S3Errors.invalidTag("The TagKey you have provided is invalid", { TagKey: Key });
    }
    if (Value.length > 256 || !TAG_TEXT.test(Value)) {
      throw S3Errors.invalidTag("The TagValue you have provided is invalid", { TagKey: Key, TagValue: Value });
    }
  }
  if (owner === "object" && tags.length > MAX_OBJECT_TAGS) {
    throw S3Errors.badRequest(`Object tags cannot be greater than ${MAX_OBJECT_TAGS}`);
  }
  if (owner === "bucket" && tags.length > MAX_BUCKET_TAGS) {
    throw S3Errors.invalidTag(`Bucket tag count cannot be greater than ${MAX_BUCKET_TAGS}`);
  }
  return tags;
}

export function validateObjectTags(tags: Tag[]): Tag[] {
  return validateTags(tags, "object");
}

export function validateBucketTags(tags: Tag[]): Tag[] {
  return validateTags(tags, "bucket");
}

/**
 * `x-amz-tagging: k1=v1&k2=v2` (URL query encoding; a name without `=` has the empty value).
 * A repeated name, or a pair holding more than one `=`, is not such a query: S3 answers
 * InvalidArgument naming the header (LocalStack's snapshot for `key1=val1&key1=val2` and
 * `key1=val1,key2=val2`; aws/aws-cli#2841 for `TagSet=[{Key=string,Value=string}]`;
 * open-io/swift3#92 for `a=&a=`). Tags that parse are then checked as any tag set.
 */
export function parseTaggingHeader(h: Headers): Tag[] | undefined {
  const raw = h.get("x-amz-tagging");
  if (raw === null) return undefined;
  const tags: Tag[] = [];
  const names = new Set<string>();
  for (const pair of raw.split("&")) {
    if (pair === "") continue;
    if (pair.indexOf("=") !== pair.lastIndexOf("=")) throw S3Errors.invalidTaggingHeader(raw);
    const [Key, Value] = [...new URLSearchParams(pair)][0]!;
    if (names.has(Key)) throw S3Errors.invalidTaggingHeader(raw);
    names.add(Key);
    tags.push({ Key, Value });
  }
  return validateObjectTags(tags);
}
