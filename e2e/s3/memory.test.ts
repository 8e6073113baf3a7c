// Bodies stream both ways with bounded memory: a 1 GiB PutObject through the SDK (a stream
// body, so aws-chunked with a CRC32 trailer) and its GetObject must each raise the
// gateway's RSS by less than 100 MB.
//
// On the embedded backend, lmdb reads through a memory map: every chunk page a GET touches
// is counted in VmRSS as file-backed page cache (RssFile) that the kernel reclaims under
// pressure. The bound there is on the process's own memory (RssAnon + RssShmem); VmRSS is
// logged beside it. On etcd both must stay within the bound.

import { expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { describeBothBackends } from "../harness/both-backends.ts";

const MiB = 1024 * 1024;
const SIZE = 1024 * MiB;
const LIMIT = 100 * 1000 * 1000;

interface Mem {
  rss: number;
  /** Anonymous + shared memory: what the process itself holds, without mapped files. */
  own: number;
}

function mem(pid: number): Mem {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(s)?.[1] ?? 0) * 1024;
  return { rss: kb("VmRSS"), own: kb("RssAnon") + kb("RssShmem") };
}

/** 1 GiB of pseudo-random bytes (a random block with a counter stamped in), hashed as produced. */
function* source(hash: ReturnType<typeof createHash>): Generator<Buffer> {
  const block = randomBytes(MiB);
  for (let i = 0; i < SIZE / MiB; i++) {
    const piece = Buffer.from(block);
    piece.writeUInt32BE(i, (i * 4093) % (MiB - 4));
    hash.update(piece);
    yield piece;
  }
}

function sampler(pid: number) {
  const peak: Mem = { rss: 0, own: 0 };
  const take = () => {
    const m = mem(pid);
    peak.rss = Math.max(peak.rss, m.rss);
    peak.own = Math.max(peak.own, m.own);
  };
  const t = setInterval(() => {
    try {
      take();
    } catch {
      // process gone; the test fails elsewhere
    }
  }, 100);
  return {
    stop(): Mem {
      clearInterval(t);
      take();
      return peak;
    },
  };
}

describeBothBackends("s3 memory bound", (ctx) => {
  it("streams a 1 GiB object up and down within 100 MB of RSS", async () => {
    const c = ctx();
    const s3 = new S3Client({ ...c.clientConfig, maxAttempts: 1 });
    try {
      await s3.send(new CreateBucketCommand({ Bucket: "memory" }));
      // Warm up the code paths so the baseline includes the JIT, not the transfer.
      const warm = Buffer.alloc(8 * MiB, 1);
      await s3.send(new PutObjectCommand({ Bucket: "memory", Key: "warm", Body: Readable.from([warm]), ContentLength: warm.length }));
      await (await s3.send(new GetObjectCommand({ Bucket: "memory", Key: "warm" }))).Body!.transformToByteArray();
      const baseline = mem(c.gateway.pid);

      const upHash = createHash("sha256");
      const t0 = Date.now();
      const up = sampler(c.gateway.pid);
      await s3.send(new PutObjectCommand({ Bucket: "memory", Key: "big", Body: Readable.from(source(upHash)), ContentLength: SIZE }));
      const upPeak = up.stop();

      const t1 = Date.now();
      const down = sampler(c.gateway.pid);
      const got = await s3.send(new GetObjectCommand({ Bucket: "memory", Key: "big" }));
      const downHash = createHash("sha256");
      let n = 0;
      for await (const piece of got.Body as Readable) {
        downHash.update(piece as Buffer);
        n += (piece as Buffer).length;
      }
      const downPeak = down.stop();
      expect(n).toBe(SIZE);
      expect(downHash.digest("hex")).toBe(upHash.digest("hex"));
      const t2 = Date.now();
      console.log(`[${c.backend}] upload ${((SIZE / MiB) / ((t1 - t0) / 1000)).toFixed(0)} MiB/s, download ${((SIZE / MiB) / ((t2 - t1) / 1000)).toFixed(0)} MiB/s`);
      const fmt = (b: number) => `${(b / MiB).toFixed(1)} MiB`;
      console.log(
        `[${c.backend}] baseline rss ${fmt(baseline.rss)} own ${fmt(baseline.own)}; ` +
          `upload peak +${fmt(upPeak.rss - baseline.rss)} rss, +${fmt(upPeak.own - baseline.own)} own; ` +
          `download peak +${fmt(downPeak.rss - baseline.rss)} rss, +${fmt(downPeak.own - baseline.own)} own`,
      );
      expect(upPeak.own - baseline.own).toBeLessThan(LIMIT);
      expect(downPeak.own - baseline.own).toBeLessThan(LIMIT);
      if (c.backend === "etcd") {
        expect(upPeak.rss - baseline.rss).toBeLessThan(LIMIT);
        expect(downPeak.rss - baseline.rss).toBeLessThan(LIMIT);
      }
      await s3.send(new DeleteObjectCommand({ Bucket: "memory", Key: "big" }));
    } finally {
      s3.destroy();
    }
  }, 600_000);
});
