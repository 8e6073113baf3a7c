// Runs an e2e suite twice: against a gateway on a fresh embedded store, and against a
// gateway on a real 3-member etcd cluster started for that file. Everything started is
// stopped in afterAll, which vitest runs even when tests fail.

import { afterAll, beforeAll, describe } from "vitest";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { startEtcdCluster, type EtcdCluster } from "../../kvclient/testing/etcd-cluster.ts";
import { startGateway, type GatewayOptions, type GatewayProcess } from "./gateway.ts";

export type BackendName = "embedded" | "etcd";
export const BACKENDS: readonly BackendName[] = ["embedded", "etcd"];

export interface ClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle: true;
}

export interface E2EContext {
  backend: BackendName;
  gateway: GatewayProcess;
  /** Present on the etcd backend. */
  cluster: EtcdCluster | undefined;
  clientConfig: ClientConfig;
  s3: S3Client;
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
}

export function clientConfigFor(gateway: GatewayProcess): ClientConfig {
  return { endpoint: gateway.endpoint, region: gateway.region, credentials: gateway.credentials, forcePathStyle: true };
}

export interface BothBackendsOptions {
  /** Extra gateway options (flags, env) for this suite. */
  gateway?: Partial<Omit<GatewayOptions, "backend">>;
  /** Run only these backends (a reason belongs in a comment at the call site). */
  only?: readonly BackendName[];
}

export function describeBothBackends(name: string, fn: (ctx: () => E2EContext) => void, opts: BothBackendsOptions = {}): void {
  for (const backend of opts.only ?? BACKENDS) {
    describe(`${name} [${backend}]`, () => {
      let ctx: E2EContext | undefined;
      let cluster: EtcdCluster | undefined;
      beforeAll(async () => {
        if (backend === "etcd") cluster = await startEtcdCluster();
        const gateway = await startGateway({ ...opts.gateway, backend, etcdEndpoints: cluster?.endpoints });
        const clientConfig = clientConfigFor(gateway);
        ctx = {
          backend,
          gateway,
          cluster,
          clientConfig,
          s3: new S3Client(clientConfig),
          sqs: new SQSClient(clientConfig),
          dynamodb: new DynamoDBClient(clientConfig),
        };
      });
      afterAll(async () => {
        if (ctx) {
          ctx.s3.destroy();
          ctx.sqs.destroy();
          ctx.dynamodb.destroy();
          await ctx.gateway.stop();
        }
        await cluster?.close();
      });
      fn(() => {
        if (!ctx) throw new Error("e2e context used before beforeAll finished");
        return ctx;
      });
    });
  }
}
