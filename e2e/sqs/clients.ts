// The same scenarios run through two real SDKs: @aws-sdk/client-sqs v3 (AWS JSON 1.0) and
// the aws-sdk v2 SQS client on the Query model (form requests, XML responses). Both
// answer in the same member names; errors are reduced to their legacy Query code.

import AWS from "aws-sdk";
import * as v3 from "@aws-sdk/client-sqs";
import type { ClientConfig } from "../harness/both-backends.ts";
import { sqsQueryModel } from "./query-model.ts";

export type Params = Record<string, unknown>;
export type Result = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface SqsApi {
  readonly protocol: "json" | "query";
  call(op: string, params: Params): Promise<Result>;
  destroy(): void;
}

export function jsonApi(cfg: ClientConfig): SqsApi {
  const client = new v3.SQSClient({ ...cfg, maxAttempts: 1 });
  const commands = v3 as unknown as Record<string, new (p: Params) => v3.SQSClient extends never ? never : object>;
  return {
    protocol: "json",
    async call(op, params) {
      const Cmd = commands[`${op}Command`];
      if (!Cmd) throw new Error(`no command ${op}`);
      return (await client.send(new Cmd(params) as never)) as Result;
    },
    destroy: () => client.destroy(),
  };
}

let model: Record<string, unknown> | undefined;

export function queryApi(cfg: ClientConfig): SqsApi {
  model ??= sqsQueryModel();
  const sqs = new AWS.SQS({
    apiConfig: model,
    endpoint: cfg.endpoint,
    region: cfg.region,
    credentials: new AWS.Credentials(cfg.credentials.accessKeyId, cfg.credentials.secretAccessKey),
    maxRetries: 0,
  } as never);
  const anySqs = sqs as unknown as Record<string, (p: Params) => { promise(): Promise<Result> }>;
  return {
    protocol: "query",
    async call(op, params) {
      const fn = anySqs[op[0]!.toLowerCase() + op.slice(1)];
      if (!fn) throw new Error(`no operation ${op}`);
      return fn.call(sqs, params).promise();
    },
    destroy: () => {},
  };
}

/** The legacy Query error code of an SDK error, whichever SDK raised it. */
export function errorCode(err: unknown): string {
  const e = err as { Code?: string; code?: string; name?: string };
  return e.Code ?? e.code ?? e.name ?? String(err);
}

export async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (errorCode(err) !== code) throw new Error(`expected ${code}, got ${errorCode(err)}: ${(err as Error).message}`);
    return;
  }
  throw new Error(`expected ${code}, but the call succeeded`);
}
