// The edge path every AWS request takes: request id, route, authenticate, dispatch to the
// adapter, render failures in the caller's protocol, then metrics and one log line.

import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "pino";
import { AwsError } from "../adapters/aws/errors.ts";
import type { ServiceAdapter, ServiceName, ServiceRequest } from "../adapters/aws/service.ts";
import { authenticate, type Authenticated, type AuthOptions } from "../adapters/aws/sigv4/authenticate.ts";
import { namesKnownKey } from "./known-key.ts";
import { AuthError, authErrorFor } from "../adapters/aws/sigv4/auth-error.ts";
import type { CredentialSet } from "./credentials.ts";
import { internalError, renderError } from "./error-shape.ts";
import { boundBodyIdle } from "./http-limits.ts";
import { IncomingHeaders } from "./incoming-headers.ts";
import type { RequestMetrics } from "./metrics.ts";
import { pathOf } from "./request-target.ts";
import { requestIdHeaders, routeRequest, type Route, type RoutedService } from "./routing.ts";
import { handleSts } from "./sts.ts";
import { endOfTurn } from "./turn-barrier.ts";

/** Largest body a buffered (JSON/Query) request may have: DynamoDB's 16 MiB batch limit. */
export const MAX_BUFFERED_BODY_BYTES = 16 * 1024 * 1024;

const utf8 = new TextDecoder();

export interface EdgeDeps {
  adapters: Record<ServiceName, ServiceAdapter>;
  credentials: CredentialSet;
  region: string;
  accountId: string;
  metrics: RequestMetrics;
  logger: Logger;
}

/** The Node request and response beneath the fetch Request (node-server's bindings). */
export interface NodeBindings {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
}

/**
 * The request target is read exactly as it arrived (IncomingMessage.url): URL parsing
 * collapses `a/../b`, which would break S3 signatures over such keys. `only` pins a
 * per-service listener to its service.
 */
export type EdgeHandler = (req: Request, node: NodeBindings, only?: ServiceName) => Promise<Response>;

/** S3 bodies up to this size, with a declared length, are read whole (see requestBytes). */
export const SMALL_S3_BODY_BYTES = 1024 * 1024;

const NO_BYTES = new Uint8Array(0);

/**
 * The body read whole through node-server's direct path, or undefined when it must stream.
 *
 * Buffered (JSON/Query) services always read it whole. S3 does for small bodies with a
 * Content-Length: on Node 20 a body passes three web-stream layers on its way to the
 * adapter (node-server's Request, the verifying stream, the adapter's reader), which cost
 * more than the copy for a 4 KiB object. A request with neither Content-Length nor
 * Transfer-Encoding has no body (HTTP/1.1), so it costs nothing. Without a Content-Length
 * the size is unknown, so a buffered body goes to authenticate() as a stream, which
 * enforces the limit while reading.
 */
async function requestBytes(req: Request, headers: Headers, service: RoutedService): Promise<Uint8Array | undefined> {
  const declared = headers.get("content-length");
  if (declared === null) return headers.has("transfer-encoding") ? undefined : NO_BYTES;
  const length = Number(declared);
  if (!Number.isInteger(length)) return undefined;
  if (service === "s3") {
    if (length > SMALL_S3_BODY_BYTES) return undefined;
  } else {
    if (req.method === "GET" || req.method === "HEAD") return NO_BYTES;
    if (length > MAX_BUFFERED_BODY_BYTES) throw new AwsError("RequestEntityTooLarge", `Request body exceeds ${MAX_BUFFERED_BODY_BYTES} bytes`, { status: 413 });
  }
  return length === 0 ? NO_BYTES : new Uint8Array(await req.arrayBuffer());
}

const CONNECTION_SIGNAL = Symbol("connection signal");

/**
 * The signal a request hands to the store: it aborts when the client's connection closes,
 * which is when the client goes away and when shutdown destroys the connections still open
 * after the grace period. One per connection, made on first use: an AbortController costs
 * ~2.5 µs, and a keep-alive connection carries one request at a time, so a signal per
 * request (node-server's req.signal) would pay that on every request for nothing.
 * (An AbortSignal.any per request would cost more still.)
 */
function connectionSignal(socket: Socket & { [CONNECTION_SIGNAL]?: AbortSignal }): AbortSignal {
  let signal = socket[CONNECTION_SIGNAL];
  if (signal === undefined) {
    const controller = new AbortController();
    // Every store call of the request listens on it until it settles (a batch may make
    // dozens at once): not a leak, so no MaxListenersExceeded warning.
    setMaxListeners(0, controller.signal);
    const abort = () => controller.abort(new DOMException("The client closed the connection", "AbortError"));
    if (socket.destroyed) abort();
    else socket.once("close", abort);
    signal = socket[CONNECTION_SIGNAL] = controller.signal;
  }
  return signal;
}

/** The edge's handler, and how many requests it has started and not yet logged. */
export interface Edge {
  handle: EdgeHandler;
  inFlight(): number;
}

export function createEdge(deps: EdgeDeps): Edge {
  const { adapters, credentials, region, accountId, metrics, logger } = deps;

  async function dispatch(req: Request, headers: Headers, url: URL, rawPath: string, node: NodeBindings, route: Route, only: ServiceName | undefined, requestId: string, sreqOut: { operation?: string }): Promise<Response> {
    const rawTarget = node.incoming.url;
    const socket = node.incoming.socket;
    if (route.service === "unsupported") {
      throw new AwsError("UnknownServiceException", `The gateway does not serve '${route.scopeService}'`, { status: 400 });
    }
    if (route.service === "s3" && req.method === "POST" && headers.get("content-type")?.startsWith("multipart/form-data")) {
      // A browser form upload (POST Object, boto3's generate_presigned_post) carries its
      // credentials in the form's signed policy, which we do not verify: say so, rather than
      // an AccessDenied that sends users chasing their keys.
      throw new AwsError("NotImplemented", "POST Object (browser form upload with a signed policy) is not implemented", { status: 501 });
    }
    const buffered = route.service !== "s3";
    const authOpts: AuthOptions = { lookup: credentials.lookup, region, bufferBody: buffered, maxBufferedBytes: MAX_BUFFERED_BODY_BYTES, service: only };
    const length = headers.get("content-length");
    const hasBody = (length !== null && length !== "0") || headers.has("transfer-encoding");
    // The listeners have no whole-request deadline (http-limits.ts): a body may stream for
    // as long as it keeps moving. Costs nothing once the body has already arrived whole.
    if (hasBody) boundBodyIdle(node.incoming);
    if (hasBody && !namesKnownKey(url, headers, credentials.lookup)) {
      // No credential, or one we do not know: refuse from the headers alone. Reading the
      // body first (up to 16 MiB) would let anyone hold that much memory per connection.
      // authenticate() gives the exact error; with no key to check it never needs the body.
      try {
        await authenticate({ method: req.method, url, rawTarget, headers, body: null, bytes: NO_BYTES }, authOpts);
      } catch (err) {
        if (err instanceof AuthError) throw authErrorFor(route.service, err);
        throw err;
      }
    }
    const bytes = await requestBytes(req, headers, route.service).catch((err: unknown) => {
      if (err instanceof AwsError) throw err;
      // The body ended early: the client went away (or half-closed) mid-body. A client
      // error, not ours: logged and counted as S3 answers it, never as a 500.
      throw new AwsError("IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header", { status: 400 });
    });
    let auth: Authenticated;
    try {
      auth = await authenticate({ method: req.method, url, rawTarget, headers, body: bytes === undefined ? req.body : null, bytes }, authOpts);
    } catch (err) {
      if (err instanceof AuthError) throw authErrorFor(route.service, err);
      throw err;
    }
    if (route.service === "sts") {
      const params = new URLSearchParams(url.search);
      if (auth.bytes?.byteLength) for (const [k, v] of new URLSearchParams(utf8.decode(auth.bytes))) params.set(k, v);
      // Counted under its action only when it is one we answer (metric labels stay bounded).
      if (params.get("Action") === "GetCallerIdentity") sreqOut.operation = "GetCallerIdentity";
      return handleSts(params, auth.principal, accountId, requestId);
    }
    const sreq: ServiceRequest = {
      method: req.method,
      url,
      rawPath,
      headers,
      // Built only if the adapter reads it: a request whose body was read whole has `bytes`.
      get body() {
        return auth.body;
      },
      bytes: auth.bytes,
      contentLength: auth.contentLength,
      trailers: auth.trailers,
      principal: auth.principal,
      signing: auth.signing,
      requestId,
      get signal() {
        return connectionSignal(socket);
      },
    };
    try {
      return await adapters[route.service].handle(sreq);
    } finally {
      sreqOut.operation = sreq.operation;
    }
  }

  // A plain counter: tracking each request's promise in a set cost ~7 µs per request.
  let inFlight = 0;
  const handle: EdgeHandler = async (req, node, only) => {
    inFlight++;
    const started = performance.now();
    const requestId = randomUUID();
    const url = new URL(req.url);
    const rawPath = pathOf(node.incoming.url);
    const headers = new IncomingHeaders(node.incoming.rawHeaders);
    const route = routeRequest(url, headers, only);
    const service = route.service;
    // Set on the Node response, which node-server's writeHead merges with the Response's
    // own headers: setting them on a Response would first turn its plain header object
    // into a fetch Headers.
    for (const [k, v] of requestIdHeaders(route, requestId)) node.outgoing.setHeader(k, v);
    const op: { operation?: string } = {};
    metrics.begin(service);
    let res: Response;
    let failure: unknown;
    try {
      res = await dispatch(req, headers, url, rawPath, node, route, only, requestId, op);
    } catch (err) {
      failure = err;
      res = renderError(route, err instanceof AwsError ? err : internalError(route), requestId, req.method);
    }
    const ms = performance.now() - started;
    const operation = metrics.end(service, op.operation, res.status, ms / 1000);
    const line: Record<string, unknown> = { reqId: requestId, service, operation, method: req.method, path: rawPath, status: res.status, ms: Math.round(ms * 100) / 100 };
    // The client (or shutdown) closed the connection first: the answer never reached it.
    if (node.incoming.socket.destroyed) line.clientGone = true;
    if (failure !== undefined && !(failure instanceof AwsError)) logger.error({ ...line, err: failure }, "request failed");
    else logger.info(line, "request");
    inFlight--;
    // Written with the rest of this turn's responses (see turn-barrier.ts).
    await endOfTurn();
    return res;
  };
  return { handle, inFlight: () => inFlight };
}
