// The S3 adapter: address -> route -> operation -> response, with every expected failure
// mapped to S3's own error shape. Background work (GC, abandoned uploads) starts with the
// gateway and stops with it.

import type { AdapterFactory, ServiceAdapter, ServiceRequest } from "../aws/service.ts";
import { AwsError, s3ErrorResponse } from "../aws/errors.ts";
import { KvError, TooLargeError } from "../../kvclient/errors.ts";
import { s3OptionsFromEnv, type S3Options } from "./config.ts";
import { effectiveChunkBytes, type S3Context } from "./context.ts";
import { BadAddressError, parseAddress } from "./wire/address.ts";
import { allOperationNames, resolveRoute, type DefaultAnswer, type Target } from "./wire/route.ts";
import { S3Errors } from "./wire/errors.ts";
import { checkKey } from "./wire/names.ts";
import { checkExpectedBucketOwner } from "./wire/bucket-owner.ts";
import { NotModified } from "./wire/conditionals.ts";
import { httpDate, xmlResponse } from "./wire/xml-io.ts";
import { GcWorker } from "./storage/gc.ts";
import { LeaseLostError } from "./storage/chunk-writer.ts";
import { LeaseExpiredError } from "./ops/commit.ts";
import { requireBucket, type S3Call } from "./ops/call.ts";
import { OPERATIONS } from "./ops/table.ts";

export { S3_ENV, s3OptionsFromEnv, type S3Options } from "./config.ts";

const MAX_BUCKET_NAME = 255;

function defaultAnswer(d: DefaultAnswer, bucket: string): Response {
  if (d.kind === "xml") return xmlResponse(d.root, d.body);
  throw new AwsError(d.code, d.message, { status: d.status, extra: { BucketName: bucket } });
}

export class S3Adapter implements ServiceAdapter {
  readonly service = "s3" as const;
  readonly operations: readonly string[] = allOperationNames();
  readonly ctx: S3Context;
  private readonly gc: GcWorker;

  constructor(ctx: S3Context) {
    this.ctx = ctx;
    this.gc = new GcWorker(ctx);
  }

  async start(): Promise<void> {
    this.gc.start();
  }

  async stop(): Promise<void> {
    await this.gc.stop();
  }

  async handle(req: ServiceRequest): Promise<Response> {
    try {
      return await this.dispatch(req);
    } catch (err) {
      return this.errorResponse(err, req);
    }
  }

  private async dispatch(req: ServiceRequest): Promise<Response> {
    let addr;
    try {
      addr = parseAddress(req.url, req.rawPath, req.headers, this.ctx.options.baseDomain);
    } catch (err) {
      if (err instanceof BadAddressError) throw S3Errors.invalidArgument("Invalid URI");
      throw err;
    }
    const target: Target = addr.bucket === undefined ? "service" : addr.key === undefined ? "bucket" : "object";
    const query = req.url.searchParams;
    const route = resolveRoute(req.method, target, query, req.headers);
    if (route.kind === "method-not-allowed") {
      throw S3Errors.methodNotAllowed(req.method, target === "object" ? "OBJECT" : target === "bucket" ? "BUCKET" : "SERVICE");
    }
    req.operation = route.op;
    const bucket = addr.bucket ?? "";
    if (bucket.length > MAX_BUCKET_NAME) throw S3Errors.invalidBucketName(bucket);
    const call: S3Call = { ctx: this.ctx, req, bucket, key: addr.key ?? "", query, headers: req.headers, signal: req.signal };
    if (target === "object") checkKey(call.key);
    // CreateBucket has no owner to expect yet.
    if (target !== "service" && route.op !== "CreateBucket") checkExpectedBucketOwner(req.headers, this.ctx.accountId);
    if (route.kind === "rejected") {
      if (route.getDefault) {
        await requireBucket(call);
        return defaultAnswer(route.getDefault, bucket);
      }
      // Named, so that a tool's error says which feature is missing (Terraform prints it).
      throw S3Errors.notImplemented(`${route.op} is not implemented by this gateway`);
    }
    const handler = OPERATIONS[route.op];
    if (!handler) throw S3Errors.notImplemented();
    return handler(call);
  }

  private errorResponse(err: unknown, req: ServiceRequest): Response {
    if (err instanceof NotModified) {
      return new Response(null, { status: 304, headers: { etag: `"${err.etag}"`, "last-modified": httpDate(err.lastModified) } });
    }
    let aws: AwsError;
    if (err instanceof AwsError) aws = err;
    else if (err instanceof TooLargeError) aws = S3Errors.entityTooLarge(0, 0);
    else if (err instanceof KvError) {
      // Conflicts that outlasted retries, deadlines, lost quorum: all retryable for the client.
      this.ctx.logger.warn({ err, requestId: req.requestId, op: req.operation }, "s3: store error");
      aws = S3Errors.serviceUnavailable();
    } else if (err instanceof LeaseLostError || err instanceof LeaseExpiredError) {
      this.ctx.logger.warn({ err, requestId: req.requestId }, "s3: upload outlived its write lease");
      aws = S3Errors.internalError();
    } else {
      this.ctx.logger.error({ err, requestId: req.requestId, op: req.operation }, "s3: unexpected error");
      aws = S3Errors.internalError();
    }
    // A body the gateway buffered (`bytes`) has nothing left to cancel; asking for it would build a stream.
    if (req.bytes === undefined && req.body && !req.body.locked) req.body.cancel().catch(() => {});
    return s3ErrorResponse(aws, req.requestId, req.method);
  }
}

export function createS3AdapterWith(config: Parameters<AdapterFactory>[0], options: S3Options): S3Adapter {
  const ctx: S3Context = {
    store: config.store,
    options: { ...options, baseDomain: options.baseDomain ?? config.s3BaseDomain },
    region: config.region,
    accountId: config.accountId,
    logger: config.logger,
    chunkBytes: effectiveChunkBytes(config.store, options.chunkBytes),
  };
  return new S3Adapter(ctx);
}

/** Tunables come from S3_* settings (see S3_ENV): the gateway's AdapterConfig.env, else process.env. */
export const createS3Adapter: AdapterFactory = (config) => createS3AdapterWith(config, s3OptionsFromEnv(config.env ?? process.env));
