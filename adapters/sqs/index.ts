// The SQS adapter: two front doors (AWS JSON 1.0 and Query/XML) onto one operation table,
// plus the background work (long-poll watch, reaper, depth observer, move tasks).

import { AwsError, queryErrorResponse } from "../aws/errors.ts";
import type { AdapterFactory, ServiceAdapter, ServiceRequest } from "../aws/service.ts";
import { DeadlineExceededError, KvError, TooLargeError } from "../../kvclient/errors.ts";
import { internalError, invalidAction, notImplemented, serviceUnavailable } from "./errors.ts";
import type { Input, OperationContext } from "./model.ts";
import { ENDPOINT_ONLY, NOT_IMPLEMENTED, OPERATIONS, OPERATION_NAMES } from "./operations.ts";
import { DEFAULT_FIFO_PARTITIONS, SqsService, type SqsOptions } from "./service.ts";
import { WaitHub } from "./long-poll.ts";
import { DepthObserver, DepthTracker, PartitionCounter, sqsMetrics } from "./metrics.ts";
import { jsonAction, jsonError, jsonResponse, parseJsonBody } from "./wire/json.ts";
import { parseQueryParams, QUERY_XMLNS, queryResponseXml, queryMessage, unknownOperationResponse } from "./wire/query.ts";
import { Reaper } from "./reaper.ts";
import { depthSource } from "./depth-source.ts";
import { MoveTaskRunner } from "./move-task-runner.ts";

type Env = Readonly<Record<string, string | undefined>>;

function envInt(env: Env, name: string, fallback: number): number {
  const v = env[name];
  const n = v === undefined ? NaN : Number(v);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export function sqsOptionsFromEnv(env: Env = process.env): SqsOptions {
  return {
    fifoPartitions: envInt(env, "SQS_FIFO_PARTITIONS", DEFAULT_FIFO_PARTITIONS),
    reaperIntervalMs: envInt(env, "SQS_REAPER_INTERVAL_MS", 30_000),
    depthIntervalMs: envInt(env, "SQS_DEPTH_INTERVAL_MS", 15_000),
  };
}

/** Map a failure to the SQS error the client sees; store trouble is always retryable. */
function toAwsError(err: unknown): AwsError | undefined {
  if (err instanceof AwsError) return err;
  if (err instanceof TooLargeError) return new AwsError("InvalidParameterValue", "The request is too large for the store.", { status: 400 });
  if (err instanceof DeadlineExceededError) return serviceUnavailable();
  if (err instanceof KvError) return serviceUnavailable();
  return undefined;
}

function queryParams(req: ServiceRequest): URLSearchParams {
  const params = new URLSearchParams(req.url.search);
  if (req.method === "POST" && req.bytes && req.bytes.length > 0) {
    for (const [k, v] of new URLSearchParams(Buffer.from(req.bytes).toString("utf8"))) params.set(k, v);
  }
  return params;
}

export const createSqsAdapter: AdapterFactory = (config) => {
  const options = sqsOptionsFromEnv(config.env);
  const hub = new WaitHub(config.store, config.logger);
  const counter = new PartitionCounter(config.registry);
  const tracker = new DepthTracker(config.registry);
  const svc = new SqsService(config.store, config.region, config.accountId, config.logger, options, hub, sqsMetrics(counter));
  const reaper = new Reaper(svc);
  const observer = new DepthObserver(depthSource(svc), tracker, options.depthIntervalMs);
  const mover = new MoveTaskRunner(svc);

  async function run(action: string | undefined, input: Input, req: ServiceRequest, op: OperationContext) {
    if (!action) throw new AwsError("MissingAction", "The request must contain the parameter Action.", { status: 400 });
    const fn = OPERATIONS[action];
    if (NOT_IMPLEMENTED.includes(action)) {
      req.operation = action;
      throw notImplemented(action);
    }
    if (!fn) throw invalidAction(action);
    req.operation = action;
    return fn(svc, input, op);
  }

  const adapter: ServiceAdapter = {
    service: "sqs",
    operations: OPERATION_NAMES,
    async handle(req) {
      const origin = `${req.url.protocol}//${req.url.host}`;
      const segments = req.url.pathname.split("/").filter((s) => s !== "");
      const op: OperationContext = {
        origin,
        pathQueueUrl: segments.length >= 2 ? `${origin}${req.url.pathname}` : undefined,
        requestId: req.requestId,
        senderId: req.principal.accessKeyId,
        // Read only when an operation needs it: the gateway builds the AbortSignal lazily.
        get signal() {
          return req.signal;
        },
      };
      const logStoreTrouble = (err: unknown) => {
        if (err instanceof KvError) config.logger.warn({ err, requestId: req.requestId, operation: req.operation }, "sqs store failure answered as retryable");
      };
      const target = jsonAction(req.headers);
      if (target !== undefined) {
        try {
          const input = parseJsonBody(req.bytes);
          return jsonResponse(await run(target, input, req, op));
        } catch (err) {
          logStoreTrouble(err);
          const e = toAwsError(err);
          if (!e) {
            config.logger.error({ err, requestId: req.requestId }, "sqs operation failed");
            return jsonError(internalError());
          }
          return jsonError(e);
        }
      }
      let action: string | undefined;
      try {
        const parsed = parseQueryParams(queryParams(req));
        action = parsed.action;
        if (op.pathQueueUrl !== undefined) {
          if (action === undefined) return unknownOperationResponse();
          if (ENDPOINT_ONLY.has(action)) throw invalidAction(action);
        }
        const output = await run(action, parsed.input, req, op);
        return new Response(queryResponseXml(action!, output, req.requestId), {
          status: 200,
          headers: { "content-type": "text/xml" },
        });
      } catch (err) {
        logStoreTrouble(err);
        const e = toAwsError(err);
        if (!e) config.logger.error({ err, requestId: req.requestId }, "sqs operation failed");
        const answer = e ?? internalError();
        return queryErrorResponse(answer, req.requestId, QUERY_XMLNS, { message: queryMessage(answer) });
      }
    },
    async start() {
      svc.queues.start();
      hub.ensureWatching();
      reaper.start();
      mover.start();
      await observer.start();
    },
    async stop() {
      await observer.stop();
      await mover.stop();
      await reaper.stop();
      await hub.stop();
      await svc.queues.stop();
    },
  };
  return adapter;
};
