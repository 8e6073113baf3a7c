// The edge path every AWS request takes: request id, route, authenticate, dispatch to the
// adapter, render failures in the caller's protocol, then metrics and one log line.

import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { AwsError } from "../adapters/aws/errors.ts";
import type { ServiceAdapter, ServiceName, ServiceRequest } from "../adapters/aws/service.ts";
import { authenticate, type Authenticated } from "../adapters/aws/sigv4/authenticate.ts";
import { AuthError, authErrorFor } from "../adapters/aws/sigv4/auth-error.ts";
import type { CredentialSet } from "./credentials.ts";
import { internalError, renderError } from "./error-shape.ts";
import type { RequestMetrics } from "./metrics.ts";
import { requestIdHeaders, routeRequest, type Route } from "./routing.ts";
import { handleSts } from "./sts.ts";

/** Largest body a buffered (JSON/Query) request may have: DynamoDB's 16 MiB batch limit. */
export const MAX_BUFFERED_BODY_BYTES = 16 * 1024 * 1024;

export interface EdgeDeps {
  adapters: Record<ServiceName, ServiceAdapter>;
  credentials: CredentialSet;
  region: string;
  accountId: string;
  metrics: RequestMetrics;
  logger: Logger;
}

export type EdgeHandler = (req: Request, only?: ServiceName) => Promise<Response>;

export function createEdge(deps: EdgeDeps): EdgeHandler {
  const { adapters, credentials, region, accountId, metrics, logger } = deps;

  async function dispatch(req: Request, url: URL, route: Route, requestId: string, signal: AbortSignal, sreqOut: { operation?: string }): Promise<Response> {
    if (route.service === "unsupported") {
      throw new AwsError("UnknownServiceException", `The gateway does not serve '${route.scopeService}'`, { status: 400 });
    }
    let auth: Authenticated;
    try {
      auth = await authenticate(
        { method: req.method, url, headers: req.headers, body: req.body },
        { lookup: credentials.lookup, region, bufferBody: route.service !== "s3", maxBufferedBytes: MAX_BUFFERED_BODY_BYTES },
      );
    } catch (err) {
      if (err instanceof AuthError) throw authErrorFor(route.service, err);
      throw err;
    }
    if (route.service === "sts") {
      sreqOut.operation = "GetCallerIdentity";
      const params = new URLSearchParams(url.search);
      if (auth.bytes) for (const [k, v] of new URLSearchParams(new TextDecoder().decode(auth.bytes))) params.set(k, v);
      return handleSts(params, auth.principal, accountId, requestId);
    }
    const sreq: ServiceRequest = {
      method: req.method,
      url,
      headers: req.headers,
      body: auth.body,
      bytes: auth.bytes,
      contentLength: auth.contentLength,
      trailers: auth.trailers,
      principal: auth.principal,
      signing: auth.signing,
      requestId,
      signal,
    };
    try {
      return await adapters[route.service].handle(sreq);
    } finally {
      sreqOut.operation = sreq.operation;
    }
  }

  return async function edge(req, only) {
    const started = performance.now();
    const requestId = randomUUID();
    const url = new URL(req.url);
    const route = routeRequest(url, req.headers, only);
    const service = route.service;
    // node-server aborts req.signal when the socket closes: when the client goes away, and
    // when shutdown destroys the connections still open after the grace period. (An
    // AbortSignal.any per request would cost more than the rest of the edge path.)
    const signal = req.signal;
    const op: { operation?: string } = {};
    metrics.begin(service);
    let res: Response;
    let failure: unknown;
    try {
      res = await dispatch(req, url, route, requestId, signal, op);
    } catch (err) {
      failure = err;
      res = renderError(route, err instanceof AwsError ? err : internalError(route), requestId, req.method);
    }
    for (const [k, v] of Object.entries(requestIdHeaders(route, requestId))) res.headers.set(k, v);
    const ms = performance.now() - started;
    const operation = metrics.end(service, op.operation, res.status, ms / 1000);
    const line = { reqId: requestId, service, operation, method: req.method, path: url.pathname, status: res.status, ms: Math.round(ms * 100) / 100 };
    if (failure !== undefined && !(failure instanceof AwsError)) logger.error({ ...line, err: failure }, "request failed");
    else logger.info(line, "request");
    return res;
  };
}
