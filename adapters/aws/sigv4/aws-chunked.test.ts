import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AwsError } from "../errors.ts";
import { AuthError, BodyAuthError, authErrorFor, type AuthFailure } from "./auth-error.ts";
import { authenticate } from "./authenticate.ts";
import {
  PRINCIPAL,
  REGION,
  encodeChunked,
  input,
  options,
  seedSignature,
  sign,
  signingKeyFor,
  streamFrom,
  type ChunkedSpec,
} from "./testing.ts";

const AMZ_DATE = "20261122T010000Z";
const SCOPE = `20261122/${REGION}/s3/aws4_request`;
const KEY = signingKeyFor(PRINCIPAL.secretAccessKey, "20261122", REGION, "s3");

type Mode = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" | "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" | "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

interface Built {
  headers: Record<string, string>;
  url: string;
  body: Uint8Array;
  seed: string;
  spec: Omit<ChunkedSpec, "chunks">;
}

/** A streaming PUT signed by the SDK signer, with the chunked body encoded from the spec. */
async function build(
  mode: Mode,
  chunks: Uint8Array[],
  trailers?: [string, string][],
  encodeOver: Partial<ChunkedSpec> = {},
): Promise<Built> {
  const decoded = chunks.reduce((n, c) => n + c.byteLength, 0);
  const signedChunks = mode !== "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
  const spec = {
    amzDate: AMZ_DATE,
    scope: SCOPE,
    key: KEY,
    trailers,
    signTrailer: mode === "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
    ...encodeOver,
  };
  const placeholder = encodeChunked({ ...spec, chunks, seed: signedChunks ? "0".repeat(64) : undefined });
  const headers: Record<string, string> = {
    "content-encoding": "aws-chunked",
    "x-amz-content-sha256": mode,
    "x-amz-decoded-content-length": String(decoded),
    "content-length": String(placeholder.byteLength),
  };
  if (trailers) headers["x-amz-trailer"] = trailers.map(([k]) => k).join(",");
  const s = await sign({ service: "s3", method: "PUT", path: "/bucket/key", headers });
  const seed = seedSignature(s.headers["authorization"]!);
  const body = encodeChunked({ ...spec, chunks, seed: signedChunks ? seed : undefined });
  expect(body.byteLength).toBe(placeholder.byteLength);
  return { headers: s.headers, url: s.url, body, seed, spec: { ...spec, seed: signedChunks ? seed : undefined } };
}

function toInput(b: Built, body: Uint8Array | ReadableStream<Uint8Array> = b.body) {
  return input(
    { method: "PUT", url: b.url, headers: b.headers, body: undefined },
    { body: body instanceof Uint8Array ? splitStream(body, 1000) : body },
  );
}

/** Deliver bytes in small pieces so framing lines straddle reads. */
function splitStream(bytes: Uint8Array, piece: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= bytes.byteLength) return c.close();
      c.enqueue(bytes.subarray(at, Math.min(at + piece, bytes.byteLength)));
      at += piece;
    },
  });
}

/** Read to the end; returns the bytes, or the error that replaced end-of-stream. */
async function consume(stream: ReadableStream<Uint8Array>): Promise<{ bytes: Buffer; error?: unknown }> {
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { bytes: Buffer.concat(parts) };
      parts.push(value);
    }
  } catch (error) {
    return { bytes: Buffer.concat(parts), error };
  }
}

async function expectStreamFailure(b: Built, body: Uint8Array, f: AuthFailure): Promise<BodyAuthError> {
  const auth = await authenticate(toInput(b, body), options());
  const { error } = await consume(auth.body!);
  expect(error).toBeInstanceOf(BodyAuthError);
  expect(error).toBeInstanceOf(AwsError);
  expect((error as BodyAuthError).failure).toBe(f);
  await expect(auth.trailers).rejects.toBe(error);
  return error as BodyAuthError;
}

const data = (n: number, seed = 1) => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
};

function replaceOnce(buf: Uint8Array, from: string, to: string): Uint8Array {
  const s = Buffer.from(buf).toString("latin1");
  const at = s.indexOf(from);
  expect(at).toBeGreaterThanOrEqual(0);
  return Buffer.from(s.slice(0, at) + to + s.slice(at + from.length), "latin1");
}

describe("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", () => {
  const chunks = [data(65536), data(65536, 2), data(1000, 3)];

  it("decodes and verifies every chunk", async () => {
    const b = await build("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", chunks);
    const auth = await authenticate(toInput(b), options());
    expect(auth.contentLength).toBe(132072);
    const { bytes, error } = await consume(auth.body!);
    expect(error).toBeUndefined();
    expect(bytes.equals(Buffer.concat(chunks))).toBe(true);
    expect([...(await auth.trailers)]).toEqual([]);
  });

  it("rejects a changed byte of chunk data", async () => {
    const b = await build("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", chunks);
    const bad = Buffer.from(b.body);
    bad[100] ^= 1;
    const e = await expectStreamFailure(b, bad, "chunk_signature");
    expect(e.code).toBe("SignatureDoesNotMatch");
    expect(e.status).toBe(403);
  });

  it("rejects a changed chunk signature, swapped chunks, a dropped chunk", async () => {
    const b = await build("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", chunks);
    const sig = Buffer.from(b.body).toString("latin1").match(/chunk-signature=([0-9a-f]{64})/)![1]!;
    await expectStreamFailure(b, replaceOnce(b.body, sig, "f".repeat(64)), "chunk_signature");
    // Each frame keeps its own valid signature, but the chain from the seed breaks.
    const frame = 88 + 65536 + 2;
    const swapped = Buffer.concat([b.body.subarray(frame, 2 * frame), b.body.subarray(0, frame), b.body.subarray(2 * frame)]);
    await expectStreamFailure(b, swapped, "chunk_signature");
    const dropped = encodeChunked({ ...b.spec, chunks: [chunks[0]!, chunks[1]!] });
    await expectStreamFailure(b, dropped, "incomplete_body");
  });

  it("rejects truncation anywhere, as incomplete_body", async () => {
    const b = await build("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", chunks);
    for (const cut of [10, 90, 70000, b.body.byteLength - 90, b.body.byteLength - 3]) {
      await expectStreamFailure(b, b.body.subarray(0, cut), "incomplete_body");
    }
  });

  it("rejects a decoded length that differs from x-amz-decoded-content-length", async () => {
    // The header is signed, so claim it through a request signed with the wrong length.
    const lie = await build("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", [...chunks, data(10)]);
    const body = encodeChunked({ ...lie.spec, chunks });
    const e = await expectStreamFailure(lie, body, "incomplete_body");
    expect(e.code).toBe("IncompleteBody");
  });

  it("rejects malformed framing and small non-final chunks", async () => {
    const b = await build("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", chunks);
    await expectStreamFailure(b, replaceOnce(b.body, "10000;", "1000g;"), "chunk_malformed");
    await expectStreamFailure(b, replaceOnce(b.body, ";chunk-signature=", ";chunk-signaturx="), "chunk_malformed");
    const small = await build("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", [data(100), data(100)]);
    const e = await expectStreamFailure(small, small.body, "chunk_size");
    expect(e.code).toBe("InvalidChunkSizeError");
  });

  it("requires x-amz-decoded-content-length", async () => {
    const b = await build("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", chunks);
    const err = await authenticate(
      input({ method: "PUT", url: b.url, headers: b.headers, body: b.body }, { headerEdits: { "x-amz-decoded-content-length": null } }),
      options(),
    ).catch((e: unknown) => e);
    // The header is signed, so removing it also breaks the signature; either way it fails before the body.
    expect(err).toBeInstanceOf(AuthError);
  });
});

describe("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", () => {
  const chunks = [data(10000), data(500, 9)];
  const trailers: [string, string][] = [["x-amz-checksum-crc32", "AAAAAA=="]];

  it("verifies the trailer signature and exposes the trailers", async () => {
    const b = await build("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", chunks, trailers);
    const auth = await authenticate(toInput(b), options());
    const { bytes, error } = await consume(auth.body!);
    expect(error).toBeUndefined();
    expect(bytes.byteLength).toBe(10500);
    expect((await auth.trailers).get("x-amz-checksum-crc32")).toBe("AAAAAA==");
  });

  it("rejects a changed trailer value or signature, a missing signature, an undeclared trailer", async () => {
    const b = await build("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", chunks, trailers);
    const e = await expectStreamFailure(b, replaceOnce(b.body, "AAAAAA==", "AAAAAB=="), "trailer_signature");
    expect(authErrorFor("s3", e.authError).code).toBe("SignatureDoesNotMatch");
    await expectStreamFailure(b, replaceOnce(b.body, "x-amz-trailer-signature:", "x-amz-trailer-signature:0"), "trailer_signature");
    const unsignedTrailer = encodeChunked({ ...b.spec, chunks, signTrailer: false });
    await expectStreamFailure(b, unsignedTrailer, "trailer_malformed");
    const extra = encodeChunked({ ...b.spec, chunks, trailers: [...trailers, ["x-amz-checksum-sha256", "x"]] });
    const e2 = await expectStreamFailure(b, extra, "trailer_malformed");
    expect(e2.code).toBe("MalformedTrailerError");
  });
});

describe("STREAMING-UNSIGNED-PAYLOAD-TRAILER", () => {
  const chunks = [data(3), data(70000, 4), data(1)];

  it("decodes unsigned chunks of any size and the trailer", async () => {
    const b = await build("STREAMING-UNSIGNED-PAYLOAD-TRAILER", chunks, [["x-amz-checksum-crc32", "abcd"]]);
    const auth = await authenticate(toInput(b), options());
    const { bytes, error } = await consume(auth.body!);
    expect(error).toBeUndefined();
    expect(bytes.equals(Buffer.concat(chunks))).toBe(true);
    expect((await auth.trailers).get("x-amz-checksum-crc32")).toBe("abcd");
  });

  it("accepts the SDK's trailer-less ending (0\\r\\n then end of body)", async () => {
    const b = await build("STREAMING-UNSIGNED-PAYLOAD-TRAILER", chunks);
    const sdkStyle = b.body.subarray(0, b.body.byteLength - 2);
    expect(Buffer.from(sdkStyle).toString("latin1").endsWith("\r\n0\r\n")).toBe(true);
    const auth = await authenticate(toInput(b, sdkStyle), options());
    const { error } = await consume(auth.body!);
    expect(error).toBeUndefined();
  });

  it("rejects a body without the trailer x-amz-trailer declared", async () => {
    const b = await build("STREAMING-UNSIGNED-PAYLOAD-TRAILER", chunks, [["x-amz-checksum-crc32", "abcd"]]);
    const without = encodeChunked({ ...b.spec, chunks, trailers: [] });
    await expectStreamFailure(b, without, "trailer_malformed");
  });

  it("rejects a signature line on unsigned chunks, garbage after the end, a bad trailer line", async () => {
    const b = await build("STREAMING-UNSIGNED-PAYLOAD-TRAILER", chunks, [["x-amz-checksum-crc32", "abcd"]]);
    await expectStreamFailure(b, Buffer.concat([b.body, Buffer.from("junk")]), "chunk_malformed");
    await expectStreamFailure(b, replaceOnce(b.body, "x-amz-checksum-crc32:abcd", "x-amz-checksum-crc32 abcd"), "trailer_malformed");
    await expectStreamFailure(b, replaceOnce(b.body, "\r\n0\r\n", "\r\n1\r\n"), "incomplete_body");
  });

  it("hands data on only as the consumer pulls (backpressure)", async () => {
    const chunk = randomBytes(65536);
    const n = 64;
    let produced = 0;
    const parts: Uint8Array[] = [];
    for (let i = 0; i < n; i++) parts.push(Buffer.from("10000\r\n"), chunk, Buffer.from("\r\n"));
    parts.push(Buffer.from("0\r\n\r\n"));
    const source = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          if (produced >= parts.length) return c.close();
          c.enqueue(parts[produced++]!);
        },
      },
      { highWaterMark: 0 },
    );
    const b = await build("STREAMING-UNSIGNED-PAYLOAD-TRAILER", [new Uint8Array(n * 65536)]);
    const auth = await authenticate(toInput(b, source), options());
    const reader = auth.body!.getReader();
    await reader.read();
    await new Promise((r) => setTimeout(r, 20));
    // One data piece was asked for: only its framing line and data were read, not the rest.
    expect(produced).toBeLessThanOrEqual(3);
    reader.releaseLock();
    const { error } = await consume(auth.body!);
    expect(error).toBeUndefined();
    expect(produced).toBe(parts.length);
  });

  it("streams 256 MiB with bounded memory", async () => {
    // Large enough that whole-body buffering (≥ 256 MiB) cannot hide inside GC noise on a
    // busy machine, where an earlier 64 MiB / 48 MiB version was flaky.
    const size = 256 * 1024 * 1024;
    const piece = Buffer.alloc(65536, 7);
    // Generate the encoded body lazily: never materialized on either side.
    let sent = 0;
    let trailerSent = false;
    const source = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          if (sent < size) {
            c.enqueue(Buffer.concat([Buffer.from("10000\r\n"), piece, Buffer.from("\r\n")]));
            sent += piece.byteLength;
          } else if (!trailerSent) {
            trailerSent = true;
            c.enqueue(Buffer.from("0\r\nx-amz-checksum-crc32:abcd\r\n\r\n"));
          } else c.close();
        },
      },
      { highWaterMark: 0 },
    );
    // Sign with the real decoded length (the header is signed).
    const real = await sign({
      service: "s3",
      method: "PUT",
      path: "/bucket/key",
      headers: {
        "content-encoding": "aws-chunked",
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "x-amz-decoded-content-length": String(size),
        "x-amz-trailer": "x-amz-checksum-crc32",
        "content-length": String(size + (size / 65536) * 12 + 40),
      },
    });
    global.gc?.();
    const before = process.memoryUsage();
    const auth = await authenticate(input({ ...real, body: undefined }, { body: source }), options());
    const reader = auth.body!.getReader();
    let total = 0;
    let peak = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if ((total & (4 * 1024 * 1024 - 1)) === 0) {
        const m = process.memoryUsage();
        // Buffers live outside the V8 heap; RSS never shrinks, so it measures garbage too.
        peak = Math.max(peak, m.arrayBuffers - before.arrayBuffers);
      }
    }
    expect(total).toBe(size);
    expect((await auth.trailers).get("x-amz-checksum-crc32")).toBe("abcd");
    // Generous for GC timing on a shared machine; a buffered body would be ≥ 256 MiB.
    expect(peak).toBeLessThan(128 * 1024 * 1024);
  }, 60_000);
});

describe("aws-chunked via streamFrom", () => {
  it("works when the whole body arrives in one piece", async () => {
    const b = await build("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", [data(9000), data(20)]);
    const auth = await authenticate(toInput(b, streamFrom(b.body)), options());
    const { bytes, error } = await consume(auth.body!);
    expect(error).toBeUndefined();
    expect(bytes.byteLength).toBe(9020);
  });
});

describe("the worked examples in the AWS S3 SigV4 streaming documentation", () => {
  // sigv4-streaming.html and sigv4-streaming-trailers.html: 65,536 + 1,024 bytes of 'a'.
  const docPrincipal = {
    accessKeyId: "AKIAIOSFODNN7EXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ownerId: "o",
    displayName: "d",
  };
  const docOptions = options({
    lookup: (id) => (id === docPrincipal.accessKeyId ? docPrincipal : undefined),
    now: () => Date.UTC(2013, 4, 24),
  });

  function docRequest(trailer: boolean, tamper?: (body: string) => string) {
    const [mode, signedHeaders, seed, sigs, trailers] = trailer
      ? ([
          "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
          "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer",
          "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e",
          [
            "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
            "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
            "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
          ],
          "x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n",
        ] as const)
      : ([
          "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
          "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class",
          "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
          [
            "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
            "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
            "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
          ],
          "",
        ] as const);
    let body =
      `10000;chunk-signature=${sigs[0]}\r\n${"a".repeat(65536)}\r\n` +
      `400;chunk-signature=${sigs[1]}\r\n${"a".repeat(1024)}\r\n` +
      `0;chunk-signature=${sigs[2]}\r\n${trailers}\r\n`;
    if (!trailer) expect(body.length).toBe(66824);
    if (tamper) body = tamper(body);
    const headers = new Headers({
      "content-encoding": "aws-chunked",
      host: "s3.amazonaws.com",
      "x-amz-content-sha256": mode,
      "x-amz-date": "20130524T000000Z",
      "x-amz-decoded-content-length": "66560",
      "x-amz-storage-class": "REDUCED_REDUNDANCY",
      "content-length": String(body.length),
      authorization: `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=${signedHeaders},Signature=${seed}`,
    });
    if (trailer) headers.set("x-amz-trailer", "x-amz-checksum-crc32c");
    return {
      method: "PUT",
      url: new URL("http://s3.amazonaws.com/examplebucket/chunkObject.txt"),
      headers,
      body: splitStream(Buffer.from(body, "latin1"), 4000),
    };
  }

  it("decodes the documented signed-chunk upload", async () => {
    const auth = await authenticate(docRequest(false), docOptions);
    const { bytes, error } = await consume(auth.body!);
    expect(error).toBeUndefined();
    expect(bytes.equals(Buffer.alloc(66560, "a"))).toBe(true);
  });

  it("decodes the documented upload with a signed trailer", async () => {
    const auth = await authenticate(docRequest(true), docOptions);
    const { bytes, error } = await consume(auth.body!);
    expect(error).toBeUndefined();
    expect(bytes.byteLength).toBe(66560);
    expect((await auth.trailers).get("x-amz-checksum-crc32c")).toBe("sOO8/Q==");
  });

  it("rejects the documented uploads with one byte or the trailer changed", async () => {
    for (const [trailer, tamper, failure] of [
      [false, (b: string) => b.replace("aaaa\r\n400", "aaab\r\n400"), "chunk_signature"],
      [true, (b: string) => b.replace("sOO8/Q==", "sOO8/R=="), "trailer_signature"],
    ] as const) {
      const auth = await authenticate(docRequest(trailer, tamper), docOptions);
      const { error } = await consume(auth.body!);
      expect((error as BodyAuthError).failure).toBe(failure);
    }
  });
});
