// Reads a byte range of an object's data, chunk by chunk, from the segments of one
// manifest version. The caller read that manifest once; superseded chunks stay until the
// GC's reader grace has passed, and if a chunk is gone anyway the stream fails rather than
// return bytes of another version.

import { keys, type Segment } from "../keyspace.ts";
import type { S3Context } from "../context.ts";

/** Chunk reads ahead of the consumer per GET: up to 3, and at most ~8 MiB of them. */
function readAhead(segments: readonly Segment[]): number {
  const chunk = segments[0]?.chunkBytes ?? 1024 * 1024;
  return Math.max(1, Math.min(3, Math.floor((8 * 1024 * 1024) / chunk)));
}

export class ChunkMissingError extends Error {}

interface ChunkRef {
  id: string;
  index: number;
  /** Slice of the chunk to emit. */
  from: number;
  to: number;
}

function* chunkRefs(segments: readonly Segment[], start: number, end: number): Generator<ChunkRef> {
  let base = 0;
  for (const seg of segments) {
    const segEnd = base + seg.size;
    if (segEnd > start && base < end) {
      const lo = Math.max(start, base) - base;
      const hi = Math.min(end, segEnd) - base;
      for (let i = Math.floor(lo / seg.chunkBytes); i * seg.chunkBytes < hi; i++) {
        const cStart = i * seg.chunkBytes;
        yield { id: seg.id, index: i, from: Math.max(lo, cStart) - cStart, to: Math.min(hi, cStart + seg.chunkBytes) - cStart };
      }
    }
    base = segEnd;
    if (base >= end) break;
  }
}

async function readChunk(ctx: S3Context, ref: ChunkRef, signal: AbortSignal): Promise<Uint8Array> {
  const key = keys.chunk(ref.id, ref.index);
  // A local read is enough almost always; a lagging replica may not have a fresh chunk yet,
  // so a miss is confirmed with a linearizable read before it counts as missing.
  let kv = await ctx.store.get(key, { signal, consistency: "serializable" });
  if (!kv) kv = await ctx.store.get(key, { signal, consistency: "linearizable" });
  if (!kv) throw new ChunkMissingError(`chunk ${ref.id}/${ref.index} is gone`);
  const v = kv.value;
  if (ref.to > v.length) throw new ChunkMissingError(`chunk ${ref.id}/${ref.index} is short`);
  return ref.from === 0 && ref.to === v.length ? v : v.subarray(ref.from, ref.to);
}

/** Pieces of bytes [start, end) of the data. */
export async function* iterateRange(
  ctx: S3Context,
  segments: readonly Segment[],
  start: number,
  end: number,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  // Keep a few reads ahead so store round trips overlap with the consumer; memory stays
  // a few chunks per GET.
  const refs = chunkRefs(segments, start, end);
  const ahead: Promise<Uint8Array>[] = [];
  const depth = readAhead(segments);
  const fill = () => {
    while (ahead.length < depth) {
      const next = refs.next();
      if (next.done) return;
      const p = readChunk(ctx, next.value, signal);
      p.catch(() => {});
      ahead.push(p);
    }
  };
  fill();
  while (ahead.length > 0) {
    const cur = ahead.shift()!;
    fill();
    yield await cur;
  }
}

/** Bytes [start, end) of an object, wherever they live (inline or in chunks). */
export async function* objectBytes(
  ctx: S3Context,
  m: { inline?: Uint8Array; segments: readonly Segment[] },
  start: number,
  end: number,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  if (m.inline) {
    if (end > start) yield m.inline.subarray(start, end);
    return;
  }
  yield* iterateRange(ctx, m.segments, start, end, signal);
}

/**
 * Bytes [start, end) read whole when they lie in a single chunk (every object up to the
 * chunk size), else undefined: such a GET answers with one buffer, with no stream
 * machinery, and holds no more memory than one chunk of a streamed GET's read-ahead.
 */
export async function singleChunkBytes(
  ctx: S3Context,
  segments: readonly Segment[],
  start: number,
  end: number,
  signal: AbortSignal,
): Promise<Uint8Array | undefined> {
  const refs = chunkRefs(segments, start, end);
  const first = refs.next();
  if (first.done || !refs.next().done) return undefined;
  return readChunk(ctx, first.value, signal);
}

/**
 * A response body of bytes [start, end), pulled with backpressure. It outlives the
 * handler, so it owns its cancellation: the server cancels the stream when the client
 * goes away, and each store read still has the store's own bound.
 */
export function rangeStream(
  ctx: S3Context,
  segments: readonly Segment[],
  start: number,
  end: number,
): ReadableStream<Uint8Array> {
  const controller = new AbortController();
  const it = iterateRange(ctx, segments, start, end, controller.signal);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const r = await it.next();
          if (r.done) controller.close();
          else controller.enqueue(r.value);
        } catch (err) {
          ctx.logger.warn({ err }, "s3: object stream failed");
          controller.error(err);
        }
      },
      async cancel() {
        controller.abort();
        await it.return(undefined);
      },
    },
    { highWaterMark: 1 },
  );
}
