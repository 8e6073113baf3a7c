// Requests AWS publishes with their signatures, sent as raw header lines through the
// gateway's own header reader (as Node hands them over) into the verifier: the SigV4 test
// suite (aws-sig-v4-test-suite, as botocore ships it in tests/unit/auth/aws4_testsuite) and
// the SigV2 "Upload" example of S3's RESTAuthentication guide. Each repeats a header, which
// fetch semantics join with ", " while the signers join the trimmed values with ",".

import { describe, expect, it } from "vitest";
import { authenticate, type AuthOptions } from "../adapters/aws/sigv4/authenticate.ts";
import { IncomingHeaders } from "./incoming-headers.ts";

const SUITE_KEY = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ownerId: "o", displayName: "suite" };
const suiteOptions: AuthOptions = {
  lookup: (id) => (id === SUITE_KEY.accessKeyId ? SUITE_KEY : undefined),
  region: "us-east-1",
  service: "service",
  now: () => Date.UTC(2015, 7, 30, 12, 36, 0),
  bufferBody: true,
};

/** "Name:value" lines of a suite request into IncomingHeaders, values untouched. */
function headerLines(lines: string[]): IncomingHeaders {
  return new IncomingHeaders(lines.flatMap((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1)]));
}

const SUITE: { name: string; lines: string[]; authorization: string }[] = [
  {
    name: "get-header-key-duplicate",
    lines: ["Host:example.amazonaws.com", "My-Header1:value2", "My-Header1:value2", "My-Header1:value1", "X-Amz-Date:20150830T123600Z"],
    authorization:
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
  },
  {
    name: "get-header-value-order",
    lines: ["Host:example.amazonaws.com", "My-Header1:value4", "My-Header1:value1", "My-Header1:value3", "My-Header1:value2", "X-Amz-Date:20150830T123600Z"],
    authorization:
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01",
  },
  {
    name: "get-header-value-trim",
    lines: ["Host:example.amazonaws.com", "My-Header1: value1", 'My-Header2: "a   b   c"', "X-Amz-Date:20150830T123600Z"],
    authorization:
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
  },
];

describe("published signature examples through IncomingHeaders", () => {
  for (const c of SUITE) {
    it(`verifies SigV4 suite case ${c.name}`, async () => {
      const headers = headerLines([...c.lines, "Authorization:" + c.authorization]);
      const auth = await authenticate(
        { method: "GET", url: new URL("http://example.amazonaws.com/"), rawTarget: "/", headers, body: null, bytes: new Uint8Array(0) },
        suiteOptions,
      );
      expect(auth.principal.accessKeyId).toBe("AKIDEXAMPLE");
    });
  }

  it("still refuses a repeated header whose values were changed", async () => {
    const c = SUITE[0]!;
    const lines = c.lines.map((l) => (l === "My-Header1:value1" ? "My-Header1:value9" : l));
    const headers = headerLines([...lines, "Authorization:" + c.authorization]);
    const err = await authenticate(
      { method: "GET", url: new URL("http://example.amazonaws.com/"), rawTarget: "/", headers, body: null, bytes: new Uint8Array(0) },
      suiteOptions,
    ).catch((e: unknown) => e);
    expect((err as { failure?: string }).failure).toBe("bad_signature");
  });

  it("verifies S3's SigV2 Upload example, repeated x-amz-meta header included", async () => {
    const key = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ownerId: "o", displayName: "doc" };
    // Its string to sign carries "x-amz-meta-reviewedby:joe@johnsmith.net,jane@johnsmith.net".
    const headers = headerLines([
      "Host:s3.amazonaws.com",
      "Date:Tue, 27 Mar 2007 21:06:08 +0000",
      "x-amz-acl:public-read",
      "content-type:application/x-download",
      "Content-MD5:4gJE4saaMU4BqNR0kLY+lw==",
      "X-Amz-Meta-ReviewedBy:joe@johnsmith.net",
      "X-Amz-Meta-ReviewedBy:jane@johnsmith.net",
      "X-Amz-Meta-FileChecksum:0x02661779",
      "X-Amz-Meta-ChecksumAlgorithm:crc32",
      "Authorization:AWS AKIAIOSFODNN7EXAMPLE:ilyl83RwaSoYIEdixDQcA4OnAnc=",
    ]);
    const path = "/static.johnsmith.net/db-backup.dat.gz";
    const auth = await authenticate(
      { method: "PUT", url: new URL("http://s3.amazonaws.com" + path), rawTarget: path, headers, body: null, bytes: new Uint8Array(0) },
      { lookup: (id) => (id === key.accessKeyId ? key : undefined), region: "us-east-1", now: () => Date.UTC(2007, 2, 27, 21, 6, 8), bufferBody: false },
    );
    expect(auth.principal.accessKeyId).toBe("AKIAIOSFODNN7EXAMPLE");
  });
});
