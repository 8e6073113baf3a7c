// `npm start`: parse configuration, start the gateway, print how to reach it, and serve
// until SIGINT/SIGTERM.

import { ConfigError, helpText, parseConfig } from "./config.ts";
import { createLogger } from "./logger.ts";
import { startGateway } from "./server.ts";

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`error: ${err.message}\n\n${helpText()}`);
      process.exit(2);
    }
    throw err;
  }
  if (parsed.help) {
    process.stdout.write(helpText());
    return;
  }
  const config = parsed.config;
  const logger = createLogger(config.logLevel);
  let gateway;
  try {
    gateway = await startGateway(config, logger);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const endpoint = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${gateway.ports.edge}`;
  const creds = gateway.credentials.usingLocalDefault
    ? `access key id "${gateway.credentials.principals[0]!.accessKeyId}", secret "${gateway.credentials.principals[0]!.secretAccessKey}" (the documented local pair; loopback only)`
    : `${gateway.credentials.principals.length} configured credential(s)`;
  // The ready line is for people and scripts alike (the e2e harness waits for it).
  process.stdout.write(
    `gateway ready: endpoint ${endpoint} region ${config.region} backend ${config.backend}` +
      (config.backend === "embedded" ? ` data-dir ${config.dataDir}` : ` etcd ${config.etcdEndpoints.join(",")}`) +
      `\n  credentials: ${creds}\n  ports: ${JSON.stringify(gateway.ports)}\n`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    gateway.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
