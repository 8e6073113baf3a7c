import { describe, expect, it } from "vitest";
import { AwsError } from "../errors.ts";
import { AuthError, BodyAuthError, authErrorFor, type AuthFailure } from "./auth-error.ts";
import { authenticate, credentialScope } from "./authenticate.ts";
import { NOW, PRINCIPAL, REGION, drain, input, options, sign, streamFrom, type Signed } from "./testing.ts";

async function failure(p: Promise<unknown>): Promise<AuthError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AuthError) return err;
    throw err;
  }
  throw new Error("expected an AuthError");
}

async function expectFailure(p: Promise<unknown>, f: AuthFailure): Promise<AuthError> {
  const err = await failure(p);
  expect(err.failure).toBe(f);
  return err;
}

const putObject = () =>
  sign({
    service: "s3",
    method: "PUT",
    path: "/bucket/some%20dir/k%C3%BCy%2B%21.txt",
    query: { "x-id": "PutObject" },
    headers: { "content-type": "text/plain", "x-amz-meta-color": "blue  and   green" },
    body: "hello world",
  });

describe("header auth, S3", () => {
  it("accepts a request signed by the SDK signer and verifies the body as it streams", async () => {
    const s = await putObject();
    const auth = await authenticate(input(s), options());
    expect(auth.principal).toBe(PRINCIPAL);
    expect(auth.signing).toMatchObject({ accessKeyId: PRINCIPAL.accessKeyId, region: REGION, service: "s3", presigned: false });
    expect(auth.signing.signedHeaders).toContain("host");
    expect(auth.contentLength).toBe(11);
    expect(Buffer.from(await drain(auth.body)).toString()).toBe("hello world");
    expect([...(await auth.trailers)]).toEqual([]);
  });

  it("accepts GET with UNSIGNED-PAYLOAD and an empty-body hash, and sorted duplicate query keys", async () => {
    const s = await sign({
      service: "s3",
      path: "/bucket",
      query: { "list-type": "2", prefix: "a b/c~d*", "max-keys": "10", acl: "", tag: ["z", "a"] },
      headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    });
    await authenticate(input(s), options());
    const e = await sign({ service: "s3", path: "/bucket/k" });
    expect(e.headers["x-amz-content-sha256"]).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    await authenticate(input(e, { body: null }), options());
  });

  it("signs the raw target when given (dot segments survive)", async () => {
    const s = await sign({ service: "s3", path: "/bucket/a/../b" });
    const url = new URL(s.url);
    expect(url.pathname).toBe("/bucket/b"); // what WHATWG URL does to it
    await expectFailure(authenticate(input(s), options()), "bad_signature");
    await authenticate(input(s, { rawTarget: "/bucket/a/../b" }), options());
  });

  const tampers: [string, (s: Signed) => Parameters<typeof input>[1], AuthFailure][] = [
    ["method", () => ({ method: "POST" }), "bad_signature"],
    ["path", (s) => ({ url: new URL(s.url.replace("k%C3%BCy", "kuy")) }), "bad_signature"],
    ["query value", (s) => ({ url: new URL(s.url.replace("x-id=PutObject", "x-id=GetObject")) }), "bad_signature"],
    ["added query", (s) => ({ url: new URL(s.url + "&acl") }), "bad_signature"],
    ["signed header", () => ({ headerEdits: { "content-type": "text/html" } }), "bad_signature"],
    ["x-amz-meta header", () => ({ headerEdits: { "x-amz-meta-color": "red" } }), "bad_signature"],
    ["host", () => ({ headerEdits: { host: "127.0.0.1:4567" } }), "bad_signature"],
    ["date within the same day", () => ({ headerEdits: { "x-amz-date": "20261122T010001Z" } }), "bad_signature"],
    ["date on another day", () => ({ headerEdits: { "x-amz-date": "20261121T235959Z" } }), "scope_date"],
    ["unsigned x-amz header added", () => ({ headerEdits: { "x-amz-acl": "public-read" } }), "unsigned_header_required"],
    ["content sha removed", () => ({ headerEdits: { "x-amz-content-sha256": null } }), "content_sha256_missing"],
    ["content sha garbage", () => ({ headerEdits: { "x-amz-content-sha256": "nope" } }), "content_sha256_invalid"],
    ["authorization removed", () => ({ headerEdits: { authorization: null } }), "missing"],
    ["sigv2 header in place of sigv4", () => ({ headerEdits: { authorization: "AWS AKIDEXAMPLE:abc=" } }), "bad_signature"],
    ["sigv4a", () => ({ headerEdits: { authorization: "AWS4-ECDSA-P256-SHA256 Credential=x" } }), "unsupported"],
    ["x-amz-date removed", () => ({ headerEdits: { "x-amz-date": null } }), "date_missing"],
    ["x-amz-date not in basic format", () => ({ headerEdits: { "x-amz-date": "2026-11-22T01:00:00Z" } }), "date_malformed"],
    ["presigned params added", (s) => ({ url: new URL(s.url + "&X-Amz-Signature=abc") }), "multiple_auth"],
  ];
  for (const [what, edit, expected] of tampers) {
    it(`rejects a tampered ${what} as ${expected}`, async () => {
      const s = await putObject();
      await expectFailure(authenticate(input(s, edit(s)), options()), expected);
    });
  }

  it("rejects a tampered signature, key id, secret", async () => {
    const s = await putObject();
    const authz = s.headers["authorization"]!;
    const flipped = authz.slice(0, -1) + (authz.endsWith("0") ? "1" : "0");
    await expectFailure(authenticate(input(s, { headerEdits: { authorization: flipped } }), options()), "bad_signature");
    const other = authz.replace("Credential=AKIDEXAMPLE", "Credential=AKIDOTHER");
    const e = await expectFailure(authenticate(input(s, { headerEdits: { authorization: other } }), options()), "unknown_key");
    expect(authErrorFor("s3", e)).toMatchObject({ code: "InvalidAccessKeyId", status: 403, extra: { AWSAccessKeyId: "AKIDOTHER" } });
    const wrongSecret = await sign({ service: "s3", path: "/b/k", secretAccessKey: "x".repeat(40) });
    const err = await expectFailure(authenticate(input(wrongSecret), options()), "bad_signature");
    const aws = authErrorFor("s3", err);
    expect(aws.code).toBe("SignatureDoesNotMatch");
    expect(aws.extra.CanonicalRequest).toContain("/b/k");
    expect(aws.extra.StringToSign).toContain("AWS4-HMAC-SHA256\n20261122T010000Z\n20261122/us-east-1/s3/aws4_request\n");
  });

  it("rejects malformed authorization headers", async () => {
    const s = await putObject();
    for (const bad of [
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/s3/aws4_request, Signature=abc",
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/aws4_request, SignedHeaders=host, Signature=abc",
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/s3/aws5_request, SignedHeaders=host, Signature=abc",
      "AWS4-HMAC-SHA256 garbage",
    ]) {
      const e = await expectFailure(authenticate(input(s, { headerEdits: { authorization: bad } }), options()), "malformed");
      expect(authErrorFor("s3", e)).toMatchObject({ code: "AuthorizationHeaderMalformed", status: 400 });
    }
  });

  it("rejects a scope for another region or service", async () => {
    const west = await sign({ service: "s3", path: "/b/k", region: "us-west-2" });
    const e = await expectFailure(authenticate(input(west), options()), "scope_region");
    expect(authErrorFor("s3", e)).toMatchObject({
      code: "AuthorizationHeaderMalformed",
      status: 400,
      message: "The authorization header is malformed; the region 'us-west-2' is wrong; expecting 'us-east-1'",
      extra: { Region: "us-east-1" },
    });
    const ec2 = await sign({ service: "ec2", path: "/b/k" });
    await expectFailure(authenticate(input(ec2), options()), "scope_service");
    const sqsScoped = await sign({ service: "sqs", path: "/" });
    const se = await expectFailure(authenticate(input(sqsScoped), options({ service: "s3" })), "scope_service");
    expect(authErrorFor("s3", se).message).toBe(
      'The authorization header is malformed; incorrect service "sqs". This endpoint belongs to "s3".',
    );
  });

  it("requires host to be signed", async () => {
    const s = await sign({ service: "s3", path: "/b/k", unsignableHeaders: new Set(["host"]) });
    expect(s.headers["authorization"]).not.toContain("host;");
    const e = await expectFailure(authenticate(input(s), options()), "unsigned_header_required");
    expect(authErrorFor("sqs", e).queryCode).toBe("IncompleteSignature");
  });

  it("fails the body stream before end-of-stream when the body differs from the signed hash", async () => {
    const s = await putObject();
    const auth = await authenticate(input(s, { body: streamFrom("hello", " worle") }), options());
    const reader = auth.body!.getReader();
    const seen: string[] = [];
    let error: unknown;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) throw new Error("stream ended without error");
        seen.push(Buffer.from(value).toString());
      }
    } catch (err) {
      error = err;
    }
    expect(seen.join("")).toBe("hello worle");
    expect(error).toBeInstanceOf(BodyAuthError);
    expect(error).toBeInstanceOf(AwsError);
    const b = error as BodyAuthError;
    expect(b.failure).toBe("payload_hash");
    expect(b.code).toBe("XAmzContentSHA256Mismatch");
    expect(b.status).toBe(400);
    await expect(auth.trailers).resolves.toBeInstanceOf(Headers);
  });

  it("rejects a missing body when a non-empty hash was signed", async () => {
    const s = await putObject();
    await expectFailure(authenticate(input(s, { body: null }), options()), "payload_hash");
  });
});

describe("clock skew", () => {
  const at = (deltaMs: number) => options({ now: () => NOW + deltaMs });
  const m15 = 15 * 60 * 1000;
  it("accepts just inside ±15 minutes and rejects just outside", async () => {
    const s = await sign({ service: "s3", path: "/b/k" });
    await authenticate(input(s), at(m15 - 1000));
    await authenticate(input(s), at(-(m15 - 1000)));
    const late = await expectFailure(authenticate(input(s), at(m15 + 1000)), "skewed");
    const early = await expectFailure(authenticate(input(s), at(-(m15 + 1000))), "skewed");
    expect(authErrorFor("s3", late)).toMatchObject({
      code: "RequestTimeTooSkewed",
      status: 403,
      extra: { RequestTime: "20261122T010000Z", MaxAllowedSkewMilliseconds: 900000 },
    });
    expect(authErrorFor("dynamodb", late)).toMatchObject({
      code: "InvalidSignatureException",
      status: 400,
      message: "Signature expired: 20261122T010000Z is now earlier than 20261122T010001Z (20261122T011501Z - 15 min.)",
    });
    expect(authErrorFor("dynamodb", early).message).toMatch(/^Signature not yet current: 20261122T010000Z is still later than/);
    expect(authErrorFor("sqs", late)).toMatchObject({ code: "InvalidSignatureException", queryCode: "SignatureDoesNotMatch", status: 403 });
  });

  it("falls back to the Date header when x-amz-date is absent", async () => {
    const s = await sign({ service: "s3", path: "/b/k" });
    const off = new Date(NOW + 20 * 60 * 1000).toUTCString();
    await expectFailure(authenticate(input(s, { headerEdits: { "x-amz-date": null, date: off } }), options()), "skewed");
    // Same instant, but x-amz-date was signed and is now gone: the signature no longer matches.
    const same = new Date(NOW).toUTCString();
    await expectFailure(authenticate(input(s, { headerEdits: { "x-amz-date": null, date: same } }), options()), "bad_signature");
  });
});

describe("header auth, JSON and Query services", () => {
  const sqsJson = (over: Partial<Parameters<typeof sign>[0]> = {}) =>
    sign({
      service: "sqs",
      method: "POST",
      path: "/",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.SendMessage" },
      body: JSON.stringify({ QueueUrl: "http://127.0.0.1:4566/000000000000/q", MessageBody: "hi" }),
      ...over,
    });

  it("buffers and verifies the body with and without x-amz-content-sha256", async () => {
    for (const applyChecksum of [true, false]) {
      const s = await sqsJson({ applyChecksum });
      expect("x-amz-content-sha256" in s.headers).toBe(applyChecksum);
      const auth = await authenticate(input(s), options({ bufferBody: true }));
      expect(Buffer.from(auth.bytes!).toString()).toContain("MessageBody");
      expect(Buffer.from(await drain(auth.body)).toString()).toContain("MessageBody");
      expect(auth.contentLength).toBe(auth.bytes!.byteLength);
    }
  });

  it("detects a changed body: payload_hash with the header, bad_signature without", async () => {
    const withHeader = await sqsJson();
    const e1 = await expectFailure(
      authenticate(input(withHeader, { body: streamFrom('{"QueueUrl":"x"}') }), options({ bufferBody: true })),
      "payload_hash",
    );
    expect(authErrorFor("sqs", e1)).toMatchObject({ code: "InvalidSignatureException", queryCode: "SignatureDoesNotMatch", status: 403 });
    expect(authErrorFor("dynamodb", e1)).toMatchObject({ code: "InvalidSignatureException", status: 400 });
    const without = await sqsJson({ applyChecksum: false });
    await expectFailure(authenticate(input(without, { body: streamFrom('{"QueueUrl":"x"}') }), options({ bufferBody: true })), "bad_signature");
  });

  it("double-encodes the path for non-S3 services", async () => {
    const s = await sign({ service: "sqs", method: "POST", path: "/000000000000/my%20queue", body: "Action=SendMessage&MessageBody=a%20b" });
    await authenticate(input(s), options({ bufferBody: true }));
    // Signed as S3 would (no second encoding) → not what a non-S3 verifier computes.
    const s3Style = await sign({ service: "sqs", method: "POST", path: "/000000000000/my%20queue", uriEscapePath: false, body: "x" });
    await expectFailure(authenticate(input(s3Style), options({ bufferBody: true })), "bad_signature");
  });

  it("takes a body the caller already read (input.bytes) instead of the stream", async () => {
    for (const applyChecksum of [true, false]) {
      const s = await sqsJson({ applyChecksum });
      const bytes = s.body!;
      const auth = await authenticate({ ...input(s, { body: null }), bytes }, options({ bufferBody: true }));
      expect(auth.bytes).toBe(bytes);
      const bad = Buffer.from(bytes);
      bad[5] ^= 1;
      await expectFailure(
        authenticate({ ...input(s, { body: null }), bytes: bad }, options({ bufferBody: true })),
        applyChecksum ? "payload_hash" : "bad_signature",
      );
      await expectFailure(
        authenticate({ ...input(s, { body: null }), bytes }, options({ bufferBody: true, maxBufferedBytes: 4 })),
        "body_too_large",
      );
    }
    const put = await putObject();
    const ok = await authenticate({ ...input(put, { body: null }), bytes: put.body! }, options());
    expect(Buffer.from(await drain(ok.body)).toString()).toBe("hello world");
    await expectFailure(authenticate({ ...input(put, { body: null }), bytes: Buffer.from("hello worle") }, options()), "payload_hash");
  });

  it("enforces maxBufferedBytes", async () => {
    const s = await sqsJson();
    const e = await expectFailure(authenticate(input(s), options({ bufferBody: true, maxBufferedBytes: 10 })), "body_too_large");
    expect(authErrorFor("dynamodb", e).status).toBe(413);
  });

  it("maps every failure to the per-service AWS error", async () => {
    const cases: [AuthFailure, string, string, number, string?][] = [
      ["missing", "s3", "AccessDenied", 403],
      ["missing", "dynamodb", "MissingAuthenticationTokenException", 400],
      ["missing", "sqs", "MissingAuthenticationTokenException", 403, "MissingAuthenticationToken"],
      ["unknown_key", "dynamodb", "UnrecognizedClientException", 400],
      ["unknown_key", "sqs", "UnrecognizedClientException", 403, "InvalidClientTokenId"],
      ["unknown_key", "sts", "InvalidClientTokenId", 403, "InvalidClientTokenId"],
      ["bad_signature", "s3", "SignatureDoesNotMatch", 403],
      ["bad_signature", "dynamodb", "InvalidSignatureException", 400],
      ["bad_signature", "sqs", "InvalidSignatureException", 403, "SignatureDoesNotMatch"],
      ["bad_signature", "sts", "SignatureDoesNotMatch", 403, "SignatureDoesNotMatch"],
      ["expired", "s3", "AccessDenied", 403],
      ["expired", "sqs", "RequestExpired", 400, "RequestExpired"],
      ["malformed", "dynamodb", "IncompleteSignatureException", 400],
      ["malformed", "sqs", "IncompleteSignatureException", 400, "IncompleteSignature"],
      ["scope_region", "dynamodb", "InvalidSignatureException", 400],
      ["scope_region", "sqs", "InvalidSignatureException", 403, "SignatureDoesNotMatch"],
      ["payload_hash", "s3", "XAmzContentSHA256Mismatch", 400],
      ["content_sha256_missing", "s3", "InvalidRequest", 400],
      ["chunk_signature", "s3", "SignatureDoesNotMatch", 403],
      ["incomplete_body", "s3", "IncompleteBody", 400],
      ["chunk_size", "s3", "InvalidChunkSizeError", 403],
      ["trailer_malformed", "s3", "MalformedTrailerError", 400],
      ["decoded_length_missing", "s3", "MissingContentLength", 411],
      ["unsupported", "s3", "InvalidRequest", 400],
      ["date_missing", "s3", "AccessDenied", 403],
      ["multiple_auth", "s3", "InvalidArgument", 400],
    ];
    for (const [f, service, code, status, queryCode] of cases) {
      const aws = authErrorFor(service, new AuthError(f, "detail", { presigned: false }));
      expect([f, service, aws.code, aws.status]).toEqual([f, service, code, status]);
      if (queryCode) expect(aws.queryCode).toBe(queryCode);
      expect(aws.message.length).toBeGreaterThan(0);
    }
    // As SQS and SWF answered a malformed X-Amz-Date (brendanhay/amazonka#5, umegaya/lua-aws#18).
    const badDate = new AuthError("date_malformed", "", { argumentValue: "1442252505" });
    expect(authErrorFor("sqs", badDate)).toMatchObject({ code: "IncompleteSignatureException", queryCode: "IncompleteSignature", status: 400 });
    expect(authErrorFor("dynamodb", badDate).message).toBe(
      "Date must be in ISO-8601 'basic format'. Got '1442252505'. See http://en.wikipedia.org/wiki/ISO_8601",
    );
    expect(authErrorFor("s3", badDate)).toMatchObject({ code: "AccessDenied", status: 403 });
    expect(authErrorFor("dynamodb", new AuthError("scope_service", "", {})).message).toBe(
      "Credential should be scoped to correct service: 'dynamodb'. ",
    );
  });
});

describe("credentialScope", () => {
  it("peeks at the header or the query without verifying", async () => {
    const s = await sign({ service: "dynamodb", method: "POST", path: "/", body: "{}" });
    expect(credentialScope(new URL(s.url), new Headers(s.headers))).toEqual({
      accessKeyId: PRINCIPAL.accessKeyId,
      date: "20261122",
      region: REGION,
      service: "dynamodb",
    });
    const q = new URL("http://h/b/k?X-Amz-Credential=AK%2F20261122%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Signature=x");
    expect(credentialScope(q, new Headers())).toMatchObject({ region: "eu-west-1", service: "s3" });
    expect(credentialScope(new URL("http://h/"), new Headers())).toBeUndefined();
    expect(credentialScope(new URL("http://h/"), new Headers({ authorization: "Bearer x" }))).toBeUndefined();
  });
});
