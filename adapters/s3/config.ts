// Tunables of the S3 adapter. Defaults suit a laptop; the gateway (or tests) may override
// them through environment variables, listed in S3_ENV so --help can print them.

export interface S3Options {
  /**
   * Preferred chunk size, shrunk to fit the store's limits; 0 picks per backend: 2 MiB on
   * the embedded store (measured fastest for 1 GiB up/down, with the least garbage; 4 MiB
   * was slower and held ~50 MB more), 1 MiB on etcd (within its default 1.5 MiB request
   * limit).
   */
  chunkBytes: number;
  /** How long an in-progress upload owns its chunks without renewing its lease. */
  writeLeaseMs: number;
  /** How long superseded chunks stay readable for GETs already streaming them. */
  readerGraceMs: number;
  /** Pause between GC passes when the queue is idle. */
  gcIntervalMs: number;
  /** Multipart uploads untouched for longer than this are aborted by the reaper. */
  abandonedUploadMs: number;
  /** Virtual-host base domain (`bucket.s3.<domain>`). */
  baseDomain?: string;
}

export const DEFAULT_S3_OPTIONS: S3Options = {
  chunkBytes: 0,
  writeLeaseMs: 10 * 60_000,
  readerGraceMs: 5 * 60_000,
  gcIntervalMs: 5_000,
  abandonedUploadMs: 7 * 24 * 3600_000,
};

export const S3_ENV: Record<string, { field: keyof S3Options; help: string }> = {
  S3_CHUNK_BYTES: { field: "chunkBytes", help: "object chunk size in bytes, shrunk to the store's limits (0: 2 MiB embedded, 1 MiB etcd)" },
  S3_WRITE_LEASE_MS: { field: "writeLeaseMs", help: "lease of an in-progress upload on its chunks" },
  S3_READER_GRACE_MS: { field: "readerGraceMs", help: "how long superseded chunks stay readable" },
  S3_GC_INTERVAL_MS: { field: "gcIntervalMs", help: "pause between idle garbage-collection passes" },
  S3_ABANDONED_UPLOAD_MS: { field: "abandonedUploadMs", help: "age after which idle multipart uploads are aborted" },
};

export function s3OptionsFromEnv(env: Record<string, string | undefined>, base: S3Options = DEFAULT_S3_OPTIONS): S3Options {
  const out: S3Options = { ...base };
  for (const [name, { field }] of Object.entries(S3_ENV)) {
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`);
    (out as unknown as Record<string, number>)[field] = n;
  }
  return out;
}
