import { describe, expect, it } from "vitest";
import { ConfigError, helpText, parseConfig } from "./config.ts";

const PUBLIC_FLAGS = ["host", "port", "backend", "data-dir", "etcd-endpoints", "credentials", "region", "account-id"];

function config(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const r = parseConfig(argv, env);
  if (r.help) throw new Error("unexpected help");
  return r.config;
}

describe("gateway config", () => {
  it("has laptop-friendly defaults", () => {
    const c = config([]);
    expect(c).toMatchObject({ host: "127.0.0.1", port: 4566, backend: "embedded", dataDir: "./data", region: "us-east-1", accountId: "000000000000", leaderCheck: "quorum" });
    expect(c.etcdEndpoints).toEqual(["http://127.0.0.1:2379"]);
    expect(c.s3Port).toBeUndefined();
  });

  it("lists every public flag with its default in --help", () => {
    expect(parseConfig(["--help"], {})).toEqual({ help: true });
    const help = helpText();
    for (const flag of PUBLIC_FLAGS) expect(help).toContain(`--${flag}`);
    expect(help).toContain("(default: 000000000000)");
  });

  it("takes flags over environment over defaults", () => {
    const c = config(["--port", "9000", "--etcd-endpoints", "127.0.0.1:1,http://127.0.0.1:2"], { GATEWAY_PORT: "8000", GATEWAY_REGION: "eu-west-1" });
    expect(c.port).toBe(9000);
    expect(c.region).toBe("eu-west-1");
    expect(c.etcdEndpoints).toEqual(["http://127.0.0.1:1", "http://127.0.0.1:2"]);
  });

  it("passes adapter settings from flags over the environment, and only those set", () => {
    const c = config(["--sqs-fifo-partitions", "1"], { SQS_FIFO_PARTITIONS: "4", DDB_TTL_SWEEP_MS: "300" });
    expect(c.adapterEnv).toEqual({ SQS_FIFO_PARTITIONS: "1", DDB_TTL_SWEEP_MS: "300" });
    expect(() => config(["--s3-chunk-bytes", "big"])).toThrow(ConfigError);
  });

  it("rejects bad values and unknown flags with a ConfigError", () => {
    expect(() => config(["--backend", "redis"])).toThrow(ConfigError);
    expect(() => config(["--port", "70000"])).toThrow(ConfigError);
    expect(() => config(["--account-id", "123"])).toThrow(ConfigError);
    expect(() => config(["--no-such-flag"])).toThrow(ConfigError);
    expect(() => config(["--access-key-id", "AK"])).toThrow(ConfigError);
  });
});

describe("README configuration table", () => {
  it("documents every flag with its environment variable", async () => {
    const { readFileSync } = await import("node:fs");
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const { FLAGS } = await import("./config.ts");
    for (const f of FLAGS) expect(readme).toContain(`| \`--${f.flag}\` | \`${f.env}\` |`);
  });
});
