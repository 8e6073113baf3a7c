// aws-chunked bodies (Content-Encoding: aws-chunked), decoded while they stream.
//
//   signed:           <hex>;chunk-signature=<sig>\r\n<data>\r\n … 0;chunk-signature=<sig>\r\n\r\n
//   signed-trailer:   as signed, then <name>:<value>\r\n… x-amz-trailer-signature:<sig>\r\n\r\n
//   unsigned-trailer: <hex>\r\n<data>\r\n … 0\r\n[<name>:<value>\r\n…]\r\n
//
// Pull-based: a source chunk is read only when the consumer asks for more, so memory stays
// bounded by one source chunk plus one framing line. Data is handed on as soon as it arrives
// (a chunk may be megabytes); every check that can fail (chunk signature, decoded length,
// trailer signature) is made before the stream reports its end, so a consumer that commits
// only at end-of-stream never commits unverified bytes.

import { createHash, type Hash, type KeyObject } from "node:crypto";
import { AuthError, type AuthFailure } from "./auth-error.ts";
import { EMPTY_SHA256, sameSignature, sha256Hex, signatureHex } from "./signing-key.ts";

export type ChunkedMode = "signed" | "signed-trailer" | "unsigned-trailer";

export interface ChunkSigning {
  key: KeyObject;
  amzDate: string;
  /** `20240101/us-east-1/s3/aws4_request` */
  scope: string;
  /** The request signature: the first chunk's "previous signature". */
  seedSignature: string;
}

export interface ChunkedOptions {
  mode: ChunkedMode;
  decodedLength: number;
  signing?: ChunkSigning;
  /** Names from x-amz-trailer; a trailer not declared there is rejected. */
  declaredTrailers?: ReadonlySet<string>;
  /** Turns a failure into what the stream errors with (the service's AwsError). */
  wrapError: (e: AuthError) => Error;
}

export interface Decoded {
  body: ReadableStream<Uint8Array>;
  trailers: Promise<Headers>;
}

const MAX_LINE = 4096;
/** AWS rejects signed chunks under 8 KiB except the last (InvalidChunkSizeError). */
const MIN_SIGNED_CHUNK = 8192;
const EMPTY = new Uint8Array(0);

export function decodeAwsChunked(source: ReadableStream<Uint8Array>, opts: ChunkedOptions): Decoded {
  const reader = source.getReader();
  const signed = opts.mode !== "unsigned-trailer";
  const expectTrailers = opts.mode !== "signed";
  if (signed && opts.signing === undefined) throw new Error("signed aws-chunked decoding needs signing");

  let cur: Uint8Array = EMPTY;
  let off = 0;
  let eof = false;
  let state: "header" | "data" | "done" = "header";
  let remaining = 0;
  let decoded = 0;
  let chunkIndex = 0;
  let prevSize = -1;
  let prevSignature = opts.signing?.seedSignature ?? "";
  let chunkSignature = "";
  let chunkHash: Hash | undefined;

  let resolveTrailers!: (h: Headers) => void;
  let rejectTrailers!: (e: unknown) => void;
  const trailers = new Promise<Headers>((res, rej) => {
    resolveTrailers = res;
    rejectTrailers = rej;
  });
  // Nobody may be listening when the body fails; the body stream reports the error.
  trailers.catch(() => {});

  const fail = (failure: AuthFailure, message: string, extra: ConstructorParameters<typeof AuthError>[2] = {}) =>
    new AuthError(failure, message, extra);

  /** Read one more source chunk, keeping unconsumed bytes. False at end of source. */
  async function fill(): Promise<boolean> {
    if (eof) return false;
    const { done, value } = await reader.read();
    if (done) {
      eof = true;
      return false;
    }
    if (value.byteLength === 0) return true;
    if (off >= cur.byteLength) {
      cur = value;
    } else {
      // Only a partial framing line (≤ MAX_LINE) is ever carried over, so this copy is small.
      const rest = cur.byteLength - off;
      const merged = new Uint8Array(rest + value.byteLength);
      merged.set(cur.subarray(off), 0);
      merged.set(value, rest);
      cur = merged;
    }
    off = 0;
    return true;
  }

  /** Next line without its line break (CRLF, or a bare LF), or undefined at end of source. */
  async function readLine(): Promise<string | undefined> {
    let scanFrom = off;
    for (;;) {
      const nl = cur.indexOf(10, scanFrom);
      if (nl >= 0) {
        let end = nl;
        if (end > off && cur[end - 1] === 13) end--;
        const line = latin1(cur, off, end);
        off = nl + 1;
        return line;
      }
      if (cur.byteLength - off > MAX_LINE) throw fail("chunk_malformed", "aws-chunked framing line too long");
      const had = cur.byteLength - off;
      if (!(await fill())) {
        if (cur.byteLength - off > 0) throw fail("incomplete_body", "body ended inside an aws-chunked framing line");
        return undefined;
      }
      scanFrom = off + had;
    }
  }

  async function expectCrlf(): Promise<void> {
    while (cur.byteLength - off < 2) {
      if (!(await fill())) throw fail("incomplete_body", "body ended inside an aws-chunked chunk");
    }
    if (cur[off] !== 13 || cur[off + 1] !== 10) throw fail("chunk_malformed", "aws-chunked chunk data not followed by CRLF");
    off += 2;
  }

  function verifyChunk(dataHashHex: string): void {
    const s = opts.signing!;
    const stringToSign =
      "AWS4-HMAC-SHA256-PAYLOAD\n" + s.amzDate + "\n" + s.scope + "\n" + prevSignature + "\n" + EMPTY_SHA256 + "\n" + dataHashHex;
    const expected = signatureHex(s.key, stringToSign);
    if (!sameSignature(expected, chunkSignature)) {
      throw fail("chunk_signature", "chunk signature mismatch", {
        stringToSign,
        signatureProvided: chunkSignature,
        chunkIndex,
      });
    }
    prevSignature = expected;
  }

  /** Parse `<hex>[;chunk-signature=<sig>]`; returns the chunk size. */
  function parseHeader(line: string): number {
    const semi = line.indexOf(";");
    const hex = semi < 0 ? line : line.slice(0, semi);
    if (hex.length === 0 || hex.length > 12) throw fail("chunk_malformed", "invalid aws-chunked chunk size");
    let size = 0;
    for (let i = 0; i < hex.length; i++) {
      const v = parseInt(hex[i]!, 16);
      if (Number.isNaN(v)) throw fail("chunk_malformed", "invalid aws-chunked chunk size");
      size = size * 16 + v;
    }
    if (signed) {
      const ext = semi < 0 ? "" : line.slice(semi + 1);
      if (!ext.startsWith("chunk-signature=") || ext.length !== 16 + 64) {
        throw fail("chunk_malformed", "aws-chunked chunk without a chunk-signature");
      }
      chunkSignature = ext.slice(16);
    }
    return size;
  }

  async function finish(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    if (signed) verifyChunk(EMPTY_SHA256);
    const found = new Headers();
    if (expectTrailers) {
      let canonical = "";
      let trailerSignature: string | undefined;
      for (;;) {
        const line = await readLine();
        // The JS SDK ends a trailer-less body right after "0\r\n", with no final CRLF.
        if (line === undefined || line === "") break;
        if (trailerSignature !== undefined) throw fail("trailer_malformed", "data after x-amz-trailer-signature");
        const colon = line.indexOf(":");
        if (colon <= 0) throw fail("trailer_malformed", "trailer line is not name:value");
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (name === "x-amz-trailer-signature") {
          trailerSignature = value;
          continue;
        }
        if (opts.declaredTrailers !== undefined && !opts.declaredTrailers.has(name)) {
          throw fail("trailer_malformed", "trailer " + name + " was not declared in x-amz-trailer");
        }
        found.append(name, value);
        canonical += name + ":" + value + "\n";
      }
      if (opts.declaredTrailers !== undefined) {
        for (const name of opts.declaredTrailers) {
          if (!found.has(name)) throw fail("trailer_malformed", "declared trailer " + name + " is missing");
        }
      }
      if (signed && opts.mode === "signed-trailer") {
        if (trailerSignature === undefined) throw fail("trailer_malformed", "missing x-amz-trailer-signature");
        const s = opts.signing!;
        const stringToSign =
          "AWS4-HMAC-SHA256-TRAILER\n" + s.amzDate + "\n" + s.scope + "\n" + prevSignature + "\n" + sha256Hex(canonical);
        if (!sameSignature(signatureHex(s.key, stringToSign), trailerSignature)) {
          throw fail("trailer_signature", "trailer signature mismatch", { stringToSign, signatureProvided: trailerSignature });
        }
      } else if (trailerSignature !== undefined) {
        throw fail("trailer_malformed", "x-amz-trailer-signature on an unsigned body");
      }
    } else {
      const line = await readLine();
      if (line !== undefined && line !== "") throw fail("chunk_malformed", "data after the final aws-chunked chunk");
    }
    if (cur.byteLength - off > 0 || (await fill())) {
      throw fail("chunk_malformed", "data after the end of the aws-chunked body");
    }
    if (decoded !== opts.decodedLength) {
      throw fail("incomplete_body", "decoded length " + decoded + " differs from x-amz-decoded-content-length");
    }
    state = "done";
    resolveTrailers(found);
    controller.close();
  }

  /** One framing or data step; true once something was enqueued or the stream closed. */
  async function step(controller: ReadableStreamDefaultController<Uint8Array>): Promise<boolean> {
    if (state === "header") {
      const line = await readLine();
      if (line === undefined) throw fail("incomplete_body", "body ended before the final aws-chunked chunk");
      const size = parseHeader(line);
      if (signed && size > 0 && prevSize >= 0 && prevSize < MIN_SIGNED_CHUNK) {
        throw fail("chunk_size", "chunk too small", { chunkIndex: chunkIndex - 1, badChunkSize: prevSize });
      }
      if (size === 0) {
        await finish(controller);
        return true;
      }
      if (decoded + size > opts.decodedLength) {
        throw fail("incomplete_body", "aws-chunked body longer than x-amz-decoded-content-length");
      }
      remaining = size;
      prevSize = size;
      if (signed) chunkHash = createHash("sha256");
      state = "data";
      return false;
    }
    // data
    if (off >= cur.byteLength && !(await fill())) {
      throw fail("incomplete_body", "body ended inside an aws-chunked chunk");
    }
    const n = Math.min(remaining, cur.byteLength - off);
    const piece = cur.subarray(off, off + n);
    off += n;
    remaining -= n;
    decoded += n;
    chunkHash?.update(piece);
    if (remaining === 0) {
      // The chunk's signature is checked before its last bytes are handed on.
      await expectCrlf();
      if (signed) verifyChunk(chunkHash!.digest("hex"));
      chunkIndex++;
      state = "header";
    }
    if (n > 0) controller.enqueue(piece);
    return n > 0;
  }

  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          while (state !== "done" && !(await step(controller)));
        } catch (err) {
          const e = err instanceof AuthError ? opts.wrapError(err) : err;
          rejectTrailers(e);
          controller.error(e);
          reader.cancel(e).catch(() => {});
        }
      },
      cancel(reason) {
        rejectTrailers(reason);
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { body, trailers };
}

function latin1(buf: Uint8Array, from: number, to: number): string {
  let s = "";
  for (let i = from; i < to; i++) s += String.fromCharCode(buf[i]!);
  return s;
}
