// Drives the adapter through handle() with requests shaped as the gateway builds them,
// over a real embedded store in a temporary directory.

import pino from "pino";
import { Registry } from "prom-client";
import { openTempStore } from "../../../kvclient/testing/temp-store.ts";
import type { Store } from "../../../kvclient/store.ts";
import type { ServiceAdapter, ServiceRequest } from "../../aws/service.ts";
import { createDynamoDbAdapter } from "../index.ts";

export interface Harness {
  store: Store;
  adapter: ServiceAdapter;
  call(op: string, body: unknown): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;
  raw(op: string, bytes: Uint8Array | string, contentType?: string): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;
  close(): Promise<void>;
}

/** `wrap` may decorate the store, e.g. to inject faults into some calls. */
export async function openHarness(wrap: (s: Store) => Store = (s) => s): Promise<Harness> {
  const temp = await openTempStore("ddb-test");
  const store = wrap(temp.store);
  const adapter = createDynamoDbAdapter({
    store,
    region: "us-east-1",
    accountId: "000000000000",
    registry: new Registry(),
    logger: pino({ level: "silent" }),
  });
  await adapter.start?.();
  const raw = async (op: string, bytes: Uint8Array | string, contentType = "application/x-amz-json-1.0") => {
    const payload = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
    const req: ServiceRequest = {
      method: "POST",
      url: new URL("http://127.0.0.1:4566/"),
      rawPath: "/",
      headers: new Headers({ "x-amz-target": `DynamoDB_20120810.${op}`, "content-type": contentType }),
      body: null,
      bytes: payload,
      contentLength: payload.length,
      trailers: Promise.resolve(new Headers()),
      principal: { accessKeyId: "test", secretAccessKey: "test", ownerId: "o", displayName: "d" },
      signing: { accessKeyId: "test", region: "us-east-1", service: "dynamodb", signedHeaders: [], presigned: false },
      requestId: "req",
      signal: new AbortController().signal,
    };
    const res = await adapter.handle(req);
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text) as Record<string, unknown>, headers: res.headers };
  };
  return {
    store,
    adapter,
    raw,
    call: (op, body) => raw(op, JSON.stringify(body)),
    async close() {
      await adapter.stop?.();
      await temp.dispose();
    },
  };
}

/** A call that must succeed: its body, or an error carrying DynamoDB's answer. */
export async function callOk(h: Harness, op: string, body: unknown): Promise<Record<string, unknown>> {
  const r = await h.call(op, body);
  if (r.status !== 200) throw new Error(`${op}: ${JSON.stringify(r.body)}`);
  return r.body;
}
