// Test-only: an adapter over a real embedded store in a temp dir, driven through handle()
// with requests built the way the gateway builds them (JSON or Query).

import { setMaxListeners } from "node:events";
import pino from "pino";
import { Registry } from "prom-client";
import { openTempStore } from "../../kvclient/testing/temp-store.ts";
import type { Store } from "../../kvclient/store.ts";
import type { ServiceAdapter, ServiceRequest } from "../aws/service.ts";
import { createSqsAdapter } from "./index.ts";

export const ACCOUNT = "000000000000";
export const ORIGIN = "http://127.0.0.1:4566";

export interface Harness {
  adapter: ServiceAdapter;
  store: Store;
  registry: Registry;
  json(action: string, input?: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;
  query(params: Record<string, string>, opts?: { method?: "GET" | "POST"; path?: string }): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

function baseRequest(method: string, url: URL, headers: Headers, bytes: Uint8Array, signal: AbortSignal): ServiceRequest {
  return {
    method,
    url,
    rawPath: url.pathname,
    headers,
    body: null,
    bytes,
    contentLength: bytes.length,
    trailers: Promise.resolve(new Headers()),
    principal: { accessKeyId: "AKIDTEST", secretAccessKey: "x", ownerId: ACCOUNT, displayName: "test" },
    signing: { accessKeyId: "AKIDTEST", region: "us-east-1", service: "sqs", signedHeaders: [], presigned: false },
    requestId: "req-" + Math.random().toString(36).slice(2),
    signal,
  };
}

export async function startHarness(opts: { start?: boolean } = {}): Promise<Harness> {
  const registry = new Registry();
  const temp = await openTempStore("sqs-unit", registry);
  const store = temp.store;
  const adapter = createSqsAdapter({ store, region: "us-east-1", accountId: ACCOUNT, registry, logger: pino({ level: "silent" }) });
  if (opts.start !== false) await adapter.start?.();
  const ac = new AbortController();
  // Concurrent calls share this signal, as a keep-alive connection's calls share the
  // gateway's connection signal (which has no listener cap either).
  setMaxListeners(0, ac.signal);
  return {
    adapter,
    store,
    registry,
    async json(action, input = {}) {
      const bytes = new TextEncoder().encode(JSON.stringify(input));
      const headers = new Headers({ "x-amz-target": `AmazonSQS.${action}`, "content-type": "application/x-amz-json-1.0" });
      const res = await adapter.handle(baseRequest("POST", new URL(ORIGIN + "/"), headers, bytes, ac.signal));
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
    },
    async query(params, o = {}) {
      const method = o.method ?? "POST";
      const form = new URLSearchParams(params).toString();
      const url = new URL(ORIGIN + (o.path ?? "/") + (method === "GET" ? "?" + form : ""));
      const bytes = method === "POST" ? new TextEncoder().encode(form) : new Uint8Array();
      const headers = new Headers({ "content-type": "application/x-www-form-urlencoded" });
      const res = await adapter.handle(baseRequest(method, url, headers, bytes, ac.signal));
      return { status: res.status, text: await res.text() };
    },
    async close() {
      ac.abort();
      await adapter.stop?.();
      await temp.dispose();
    },
  };
}

/** A raw JSON-protocol request with an arbitrary body (for malformed-input tests). */
export function fakeRequest(body: string, action: string): ServiceRequest {
  const headers = new Headers({ "x-amz-target": `AmazonSQS.${action}`, "content-type": "application/x-amz-json-1.0" });
  return baseRequest("POST", new URL(ORIGIN + "/"), headers, new TextEncoder().encode(body), new AbortController().signal);
}
