import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { buildQueryString } from "@smithy/core/protocols";
import { afterAll, describe, expect, it } from "vitest";
import { AuthError, authErrorFor, type AuthFailure } from "./auth-error.ts";
import { authenticate } from "./authenticate.ts";
import { NOW, PRINCIPAL, REGION, SIGNING_DATE, drain, options, streamFrom } from "./testing.ts";

const client = new S3Client({
  endpoint: "http://127.0.0.1:4566",
  forcePathStyle: true,
  region: REGION,
  credentials: { accessKeyId: PRINCIPAL.accessKeyId, secretAccessKey: PRINCIPAL.secretAccessKey },
});
afterAll(() => client.destroy());

async function presignGet(expiresIn = 900, key = "dir/my key+ü.txt"): Promise<URL> {
  const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: "bucket", Key: key }), {
    expiresIn,
    signingDate: SIGNING_DATE,
  });
  return new URL(url);
}

const req = (url: URL, method = "GET", body: ReadableStream<Uint8Array> | null = null, extra: Record<string, string> = {}) => ({
  method,
  url,
  headers: new Headers({ host: url.host, ...extra }),
  body,
});

async function failure(p: Promise<unknown>, f: AuthFailure): Promise<AuthError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AuthError);
  expect((err as AuthError).failure).toBe(f);
  return err as AuthError;
}

describe("presigned S3 URLs from @aws-sdk/s3-request-presigner", () => {
  it("accepts a presigned GET", async () => {
    const url = await presignGet();
    expect(url.searchParams.get("X-Amz-Expires")).toBe("900");
    const auth = await authenticate(req(url), options());
    expect(auth.signing).toMatchObject({ presigned: true, service: "s3", accessKeyId: PRINCIPAL.accessKeyId });
  });

  it("accepts a presigned PUT and passes the body through unsigned", async () => {
    const url = new URL(
      await getSignedUrl(client, new PutObjectCommand({ Bucket: "bucket", Key: "k" }), { expiresIn: 60, signingDate: SIGNING_DATE }),
    );
    const auth = await authenticate(req(url, "PUT", streamFrom("payload"), { "content-length": "7" }), options());
    expect(Buffer.from(await drain(auth.body)).toString()).toBe("payload");
    expect(auth.contentLength).toBe(7);
  });

  it("enforces expiry exactly", async () => {
    const url = await presignGet(60);
    await authenticate(req(url), options({ now: () => NOW + 60_000 }));
    const e = await failure(authenticate(req(url), options({ now: () => NOW + 61_000 })), "expired");
    expect(authErrorFor("s3", e)).toMatchObject({
      code: "AccessDenied",
      status: 403,
      message: "Request has expired",
      extra: { "X-Amz-Expires": 60, Expires: "2026-11-22T01:01:00Z", ServerTime: "2026-11-22T01:01:01Z" },
    });
    const early = await failure(authenticate(req(url), options({ now: () => NOW - 16 * 60_000 })), "not_yet_valid");
    expect(authErrorFor("s3", early).message).toBe("Request is not valid yet");
    // A week is the maximum, and still valid just before it ends.
    const week = await presignGet(604800);
    await authenticate(req(week), options({ now: () => NOW + 604800_000 - 1 }));
  });

  const edits: [string, (u: URL) => void, AuthFailure][] = [
    ["key", (u) => (u.pathname = u.pathname.replace("my%20key", "my%20kez")), "bad_signature"],
    ["X-Amz-Expires", (u) => u.searchParams.set("X-Amz-Expires", "901"), "bad_signature"],
    ["X-Amz-Date", (u) => u.searchParams.set("X-Amz-Date", "20261122T010001Z"), "bad_signature"],
    ["X-Amz-Signature", (u) => u.searchParams.set("X-Amz-Signature", "0".repeat(64)), "bad_signature"],
    ["added param", (u) => u.searchParams.set("response-content-type", "text/html"), "bad_signature"],
    ["removed param", (u) => u.searchParams.delete("X-Amz-SignedHeaders"), "malformed"],
    ["expires over a week", (u) => u.searchParams.set("X-Amz-Expires", "604801"), "malformed"],
    ["expires not a number", (u) => u.searchParams.set("X-Amz-Expires", "soon"), "malformed"],
    ["algorithm", (u) => u.searchParams.set("X-Amz-Algorithm", "AWS4-ECDSA-P256-SHA256"), "unsupported"],
    [
      "credential region",
      (u) => u.searchParams.set("X-Amz-Credential", `${PRINCIPAL.accessKeyId}/20261122/eu-west-1/s3/aws4_request`),
      "scope_region",
    ],
    [
      "credential key id",
      (u) => u.searchParams.set("X-Amz-Credential", `AKIDNOPE/20261122/${REGION}/s3/aws4_request`),
      "unknown_key",
    ],
    ["credential format", (u) => u.searchParams.set("X-Amz-Credential", "garbage"), "malformed"],
    [
      "streaming payload",
      (u) => u.searchParams.set("X-Amz-Content-Sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
      "content_sha256_invalid",
    ],
  ];
  for (const [what, edit, f] of edits) {
    it(`rejects a tampered ${what} as ${f}`, async () => {
      const url = await presignGet();
      edit(url);
      await failure(authenticate(req(url), options()), f);
    });
  }

  it("reports query-auth problems as AuthorizationQueryParametersError", async () => {
    const url = await presignGet();
    url.searchParams.set("X-Amz-Credential", `${PRINCIPAL.accessKeyId}/20261122/eu-west-1/s3/aws4_request`);
    const e = await failure(authenticate(req(url), options()), "scope_region");
    expect(authErrorFor("s3", e)).toMatchObject({
      code: "AuthorizationQueryParametersError",
      message: "Error parsing the X-Amz-Credential parameter; the region 'eu-west-1' is wrong; expecting 'us-east-1'",
    });
  });

  it("rejects unsigned x-amz-* headers on a presigned request", async () => {
    const url = await presignGet();
    await failure(authenticate(req(url, "GET", null, { "x-amz-acl": "public-read" }), options()), "unsigned_header_required");
    // x-amz-content-sha256 is tolerated: some clients add it to every request.
    await authenticate(req(url, "GET", null, { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" }), options());
  });

  it("accepts a presigned request for a non-S3 service (signer.presign, payload hash of the empty body)", async () => {
    const signer = new SignatureV4({
      service: "sqs",
      region: REGION,
      credentials: { accessKeyId: PRINCIPAL.accessKeyId, secretAccessKey: PRINCIPAL.secretAccessKey },
      sha256: Sha256,
    });
    const presigned = await signer.presign(
      new HttpRequest({
        method: "GET",
        protocol: "http:",
        hostname: "127.0.0.1",
        port: 4566,
        path: "/000000000000/q",
        query: { Action: "ReceiveMessage" },
        headers: { host: "127.0.0.1:4566" },
      }),
      { signingDate: SIGNING_DATE, expiresIn: 300 },
    );
    const url = new URL(`http://127.0.0.1:4566${presigned.path}?${buildQueryString(presigned.query ?? {})}`);
    const auth = await authenticate(req(url), options({ bufferBody: true }));
    expect(auth.signing.service).toBe("sqs");
    const e = await failure(authenticate(req(url), options({ bufferBody: true, now: () => NOW + 301_000 })), "expired");
    expect(authErrorFor("sqs", e)).toMatchObject({ code: "RequestExpired", status: 400 });
  });
});
