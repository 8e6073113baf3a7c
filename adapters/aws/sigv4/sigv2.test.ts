import AWS2 from "aws-sdk";
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AuthError, authErrorFor, type AuthFailure } from "./auth-error.ts";
import { authenticate } from "./authenticate.ts";
import { PRINCIPAL, REGION, drain, options, streamFrom } from "./testing.ts";

const NOW = Date.UTC(2026, 10, 22, 1, 0, 0);
const at = (ms: number) => options({ now: () => ms });

function s3v2(endpoint = "http://127.0.0.1:4566", forcePathStyle = true): AWS2.S3 {
  return new AWS2.S3({
    endpoint,
    s3ForcePathStyle: forcePathStyle,
    region: REGION,
    signatureVersion: "v2",
    credentials: new AWS2.Credentials(PRINCIPAL.accessKeyId, PRINCIPAL.secretAccessKey),
  });
}

function presign(s3: AWS2.S3, op: string, params: Record<string, unknown>): URL {
  return new URL(s3.getSignedUrl(op, params));
}

/** aws-sdk v2 presigns with the real clock: the instant a URL was made, from its Expires. */
const madeAt = (url: URL, expiresIn: number) => Number(url.searchParams.get("Expires")) * 1000 - expiresIn * 1000;

async function fails(p: Promise<unknown>, f: AuthFailure): Promise<AuthError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AuthError);
  expect((err as AuthError).failure).toBe(f);
  return err as AuthError;
}

const req = (url: URL, method = "GET", extra: Record<string, string> = {}, body: ReadableStream<Uint8Array> | null = null) => ({
  method,
  url,
  headers: new Headers({ host: url.host, ...extra }),
  body,
});

describe("S3 Signature Version 2 (legacy presigned URLs)", () => {
  it("accepts a v2 presigned GET with sub-resources, path and virtual-hosted style", async () => {
    const url = presign(s3v2(), "getObject", {
      Bucket: "bucket",
      Key: "dir/a b+ü.txt",
      Expires: 300,
      ResponseContentType: "text/plain",
    });
    expect(url.searchParams.get("AWSAccessKeyId")).toBe(PRINCIPAL.accessKeyId);
    const auth = await authenticate(req(url), at(NOW + 1000));
    expect(auth.signing).toMatchObject({ presigned: true, service: "s3", region: REGION, signedHeaders: [] });
    const vhost = presign(s3v2("http://s3.localtest:4566", false), "getObject", { Bucket: "bucket", Key: "k", Expires: 60 });
    expect(vhost.host).toBe("bucket.s3.localtest:4566");
    await authenticate(req(vhost), at(NOW));
  });

  it("enforces Expires and rejects tampering", async () => {
    const url = presign(s3v2(), "getObject", { Bucket: "bucket", Key: "k", Expires: 60 });
    const t0 = madeAt(url, 60);
    await authenticate(req(url), at(t0 + 60_000));
    const e = await fails(authenticate(req(url), at(t0 + 61_000)), "expired");
    expect(authErrorFor("s3", e)).toMatchObject({
      code: "AccessDenied",
      message: "Request has expired",
      extra: { Expires: new Date(t0 + 60_000).toISOString().replace(/\.\d{3}Z$/, "Z") },
    });
    const moved = new URL(url);
    moved.pathname = "/bucket/other";
    await fails(authenticate(req(moved), at(NOW)), "bad_signature");
    const later = new URL(url);
    later.searchParams.set("Expires", String(Number(url.searchParams.get("Expires")) + 3600));
    await fails(authenticate(req(later), at(NOW)), "bad_signature");
    const acl = new URL(url);
    acl.searchParams.set("acl", "");
    await fails(authenticate(req(acl), at(NOW)), "bad_signature");
    const who = new URL(url);
    who.searchParams.set("AWSAccessKeyId", "AKIDNOPE");
    await fails(authenticate(req(who), at(NOW)), "unknown_key");
    await fails(authenticate(req(url, "PUT"), at(NOW)), "bad_signature");
  });

  it("accepts a v2 presigned PUT with its signed Content-Type and passes the body through", async () => {
    const url = presign(s3v2(), "putObject", { Bucket: "bucket", Key: "k", Expires: 60, ContentType: "text/plain" });
    const auth = await authenticate(req(url, "PUT", { "content-type": "text/plain", "content-length": "2" }, streamFrom("hi")), at(NOW));
    expect(Buffer.from(await drain(auth.body)).toString()).toBe("hi");
    await fails(authenticate(req(url, "PUT", { "content-type": "text/html" }), at(NOW)), "bad_signature");
  });

  it("refuses SigV2 for a listener that serves another service, and mixed mechanisms", async () => {
    const url = presign(s3v2(), "getObject", { Bucket: "bucket", Key: "k", Expires: 60 });
    await fails(authenticate(req(url), options({ now: () => NOW, service: "sqs" })), "unsupported");
    const mixed = new URL(url);
    mixed.searchParams.set("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
    await fails(authenticate(req(mixed), at(NOW)), "multiple_auth");
  });
});

describe("S3 Signature Version 2 with a session token", () => {
  const TOKEN = "FQoGZXIvYXdzEXAMPLE/TOKEN+with=chars";
  const sign = (stringToSign: string) => createHmac("sha1", PRINCIPAL.secretAccessKey).update(stringToSign).digest("base64");

  it("signs the x-amz-* and Content-Type query parameters a presigned URL carries, as botocore moves them there", async () => {
    // botocore's HmacV1QueryAuth: x-amz-security-token (and any x-amz-* or Content-Type
    // header) becomes a query parameter, and is signed as the header it replaces.
    const expires = Math.floor(NOW / 1000) + 60;
    const url = new URL("http://127.0.0.1:4566/bucket/k");
    url.searchParams.set("AWSAccessKeyId", PRINCIPAL.accessKeyId);
    url.searchParams.set("Signature", sign(`PUT\n\ntext/plain\n${expires}\nx-amz-meta-a:b\nx-amz-security-token:${TOKEN}\n/bucket/k`));
    url.searchParams.set("content-type", "text/plain");
    url.searchParams.set("x-amz-meta-a", "b");
    url.searchParams.set("x-amz-security-token", TOKEN);
    url.searchParams.set("Expires", String(expires));
    // The URL alone, and the URL with the headers a client also sends.
    await authenticate(req(url, "PUT"), at(NOW));
    await authenticate(req(url, "PUT", { "content-type": "text/plain", "x-amz-meta-a": "b" }), at(NOW));
    await fails(authenticate(req(url, "PUT", { "content-type": "text/html" }), at(NOW)), "bad_signature");
    const tampered = new URL(url);
    tampered.searchParams.set("x-amz-security-token", TOKEN + "x");
    await fails(authenticate(req(tampered, "PUT"), at(NOW)), "bad_signature");
  });

  it("signs an x-amz-* header value trimmed but not folded inside, as botocore and aws-sdk v2 do", async () => {
    // botocore's canonical_custom_headers strips each value; runs of spaces and tabs inside
    // stay (S3's SigV2 rules only unfold line breaks and trim around the colon).
    const date = new Date(NOW).toUTCString();
    const url = new URL("http://127.0.0.1:4566/bucket/k");
    const meta = "a   b\tc";
    const authorization = `AWS ${PRINCIPAL.accessKeyId}:${sign(`GET\n\n\n${date}\nx-amz-meta-note:${meta}\n/bucket/k`)}`;
    await authenticate(req(url, "GET", { date, authorization, "x-amz-meta-note": `  ${meta} ` }), at(NOW));
    const folded = `AWS ${PRINCIPAL.accessKeyId}:${sign(`GET\n\n\n${date}\nx-amz-meta-note:a b c\n/bucket/k`)}`;
    await fails(authenticate(req(url, "GET", { date, authorization: folded, "x-amz-meta-note": meta }), at(NOW)), "bad_signature");
  });

  it("accepts aws-sdk v2's presigned GET made with temporary credentials", async () => {
    const s3 = new AWS2.S3({
      endpoint: "http://127.0.0.1:4566",
      s3ForcePathStyle: true,
      region: REGION,
      signatureVersion: "v2",
      credentials: new AWS2.Credentials(PRINCIPAL.accessKeyId, PRINCIPAL.secretAccessKey, TOKEN),
    });
    const url = presign(s3, "getObject", { Bucket: "bucket", Key: "k", Expires: 60 });
    expect(url.searchParams.get("x-amz-security-token")).toBe(TOKEN);
    await authenticate(req(url), at(madeAt(url, 60)));
  });
});
