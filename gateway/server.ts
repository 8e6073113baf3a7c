// Assembles a running gateway: store, adapters, the edge path, health and metrics, and
// one HTTP listener per configured port. Shutdown is graceful and bounded.

import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { serve, type HttpBindings } from "@hono/node-server";
import { Hono } from "hono";
import type { Logger } from "pino";
import type { ServiceAdapter, ServiceName } from "../adapters/aws/service.ts";
import { createS3Adapter } from "../adapters/s3/index.ts";
import { createSqsAdapter } from "../adapters/sqs/index.ts";
import { createDynamoDbAdapter } from "../adapters/dynamodb/index.ts";
import { openStore } from "../kvclient/open.ts";
import type { Store } from "../kvclient/store.ts";
import type { GatewayConfig } from "./config.ts";
import { loadCredentials, type CredentialSet } from "./credentials.ts";
import { createEdge, type EdgeHandler } from "./edge.ts";
import { IncomingHeaders } from "./incoming-headers.ts";
import { namesKnownKey } from "./known-key.ts";
import { originForm, pathOf } from "./request-target.ts";
import { leadership, liveness } from "./health.ts";
import { LISTENER_OPTIONS } from "./http-limits.ts";
import { createLogger } from "./logger.ts";
import { RequestMetrics } from "./metrics.ts";
import { STS_OPERATIONS } from "./sts.ts";

export interface RunningGateway {
  config: GatewayConfig;
  credentials: CredentialSet;
  /** Bound port of each listener, by name ("edge", "s3", "sqs", "dynamodb", "metrics"). */
  ports: Record<string, number>;
  store: Store;
  logger: Logger;
  close(): Promise<void>;
}

/** Presigned or header-signed: such a request is an AWS call even on /healthz or /metrics. */
function isSigned(req: Request): boolean {
  if (req.headers.has("authorization")) return true;
  const q = req.url.indexOf("?");
  return q >= 0 && req.url.includes("X-Amz-Signature", q);
}

type Fetch = (req: Request, env: HttpBindings) => Response | Promise<Response>;

/** How long shutdown waits for requests it cut off to end, after the grace period. */
const CUT_OFF_SETTLE_MS = 2_000;

/** The only paths an unsigned request may use; everything else is an AWS call. */
const OPERATOR_PATHS = new Set(["/healthz", "/healthz/leader", "/metrics"]);

/**
 * One listener's request handler. Hono routes the operator endpoints; AWS calls go straight
 * to the edge path, because they have no routes of their own (the service is decided from
 * the request, not the path) and a router would only add cost to every request.
 */
function buildFetch(edge: EdgeHandler, store: Store, metrics: RequestMetrics, config: GatewayConfig, only?: ServiceName | "metrics"): Fetch {
  const toEdge: Fetch = (req, env) => (only === "metrics" ? new Response("not found\n", { status: 404 }) : edge(req, env, only));
  const ops = new Hono<{ Bindings: HttpBindings }>();
  ops.all("/healthz", (c) => (isSigned(c.req.raw) ? toEdge(c.req.raw, c.env) : liveness(c.req.raw)));
  ops.all("/healthz/leader", (c) => (isSigned(c.req.raw) ? toEdge(c.req.raw, c.env) : leadership(c.req.raw, store, config.leaderCheck)));
  ops.all("/metrics", async (c) => {
    if (isSigned(c.req.raw) || (c.req.method !== "GET" && c.req.method !== "HEAD")) return toEdge(c.req.raw, c.env);
    const text = await metrics.registry.metrics();
    return new Response(c.req.method === "HEAD" ? null : text, { headers: { "content-type": metrics.registry.contentType } });
  });
  return (req, env) => {
    env.incoming.url = originForm(env.incoming.url ?? "/");
    return OPERATOR_PATHS.has(pathOf(env.incoming.url)) ? ops.fetch(req, env) : toEdge(req, env);
  };
}

function listen(fetch: Fetch, host: string, port: number, credentials: CredentialSet): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: fetch as (req: Request, env: unknown) => Response | Promise<Response>, hostname: host, port, serverOptions: LISTENER_OPTIONS },
      () => resolve(server as Server),
    ) as Server;
    // Node answers "Expect: 100-continue" itself, before anything is checked, so a client
    // with a wrong or missing key would send its whole body to be refused. Invite only a
    // request that names a key we know; the others get their answer straight away.
    server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(originForm(req.url ?? "/"), "http://gateway");
      if (namesKnownKey(url, new IncomingHeaders(req.rawHeaders), credentials.lookup)) res.writeContinue();
      server.emit("request", req, res);
    });
    server.once("error", reject);
  });
}

export async function startGateway(config: GatewayConfig, logger: Logger = createLogger(config.logLevel)): Promise<RunningGateway> {
  const credentials = loadCredentials(config);
  const metrics = new RequestMetrics();
  const store = await openStore(
    config.backend === "embedded"
      ? { backend: "embedded", dataDir: config.dataDir, registry: metrics.registry }
      : { backend: "etcd", endpoints: config.etcdEndpoints, registry: metrics.registry },
  );
  const adapterConfig = {
    store,
    region: config.region,
    accountId: config.accountId,
    registry: metrics.registry,
    logger,
    s3BaseDomain: config.s3BaseDomain,
    env: config.adapterEnv,
  };
  const adapters: Record<ServiceName, ServiceAdapter> = {
    s3: createS3Adapter(adapterConfig),
    sqs: createSqsAdapter(adapterConfig),
    dynamodb: createDynamoDbAdapter(adapterConfig),
  };
  for (const a of Object.values(adapters)) metrics.declare(a.service, a.operations);
  metrics.declare("sts", STS_OPERATIONS);
  for (const a of Object.values(adapters)) await a.start?.();

  const edge = createEdge({ adapters, credentials, region: config.region, accountId: config.accountId, metrics, logger });
  const listeners: [string, number, ServiceName | "metrics" | undefined][] = [["edge", config.port, undefined]];
  if (config.s3Port !== undefined) listeners.push(["s3", config.s3Port, "s3"]);
  if (config.sqsPort !== undefined) listeners.push(["sqs", config.sqsPort, "sqs"]);
  if (config.dynamodbPort !== undefined) listeners.push(["dynamodb", config.dynamodbPort, "dynamodb"]);
  if (config.metricsPort !== undefined) listeners.push(["metrics", config.metricsPort, "metrics"]);
  const servers: Server[] = [];
  const ports: Record<string, number> = {};
  try {
    for (const [name, port, only] of listeners) {
      const server = await listen(buildFetch(edge.handle, store, metrics, config, only), config.host, port, credentials);
      servers.push(server);
      ports[name] = (server.address() as AddressInfo).port;
    }
  } catch (err) {
    for (const s of servers) s.close();
    for (const a of Object.values(adapters)) await a.stop?.();
    await store.close();
    throw err;
  }

  let closing: Promise<void> | undefined;
  async function close(): Promise<void> {
    // Stop accepting, let in-flight requests finish within the grace period, then abort
    // what is left (destroying a connection aborts its request's signal) and close the store.
    const drained = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    for (const s of servers) s.closeIdleConnections();
    const grace = new Promise<void>((r) => setTimeout(r, config.shutdownGraceMs).unref());
    await Promise.race([drained, grace]);
    for (const s of servers) s.closeAllConnections();
    // Their signals have aborted: give the cut-off requests a moment to end and log their
    // line before the store closes and the process exits.
    for (const until = Date.now() + CUT_OFF_SETTLE_MS; edge.inFlight() > 0 && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const a of Object.values(adapters)) await a.stop?.().catch((err: unknown) => logger.error({ err }, "adapter stop failed"));
    await store.close();
    logger.flush();
  }
  return { config, credentials, ports, store, logger, close: () => (closing ??= close()) };
}
