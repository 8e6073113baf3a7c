import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig, ConfigError } from "./config.ts";
import { isLoopback, loadCredentials } from "./credentials.ts";

function cfg(argv: string[]) {
  const r = parseConfig(argv, {});
  if (r.help) throw new Error("help");
  return r.config;
}

describe("credentials", () => {
  it("accepts the documented local pair only on loopback", () => {
    const local = loadCredentials(cfg(["--host", "127.0.0.1"]));
    expect(local.usingLocalDefault).toBe(true);
    expect(local.lookup("test")?.secretAccessKey).toBe("test");
    expect(() => loadCredentials(cfg(["--host", "0.0.0.0"]))).toThrow(ConfigError);
    expect(() => loadCredentials(cfg(["--host", "10.1.2.3"]))).toThrow(/refusing to start/);
  });

  it("reads a credentials file with optional owner fields", () => {
    const dir = mkdtempSync(join(tmpdir(), "gw-cred-"));
    const file = join(dir, "creds.json");
    writeFileSync(file, JSON.stringify({ credentials: [{ accessKeyId: "AK1", secretAccessKey: "S1", ownerId: "o1", displayName: "alice" }, { accessKeyId: "AK2", secretAccessKey: "S2" }] }));
    const set = loadCredentials(cfg(["--host", "0.0.0.0", "--credentials", file]));
    expect(set.usingLocalDefault).toBe(false);
    expect(set.lookup("AK1")).toMatchObject({ ownerId: "o1", displayName: "alice" });
    expect(set.lookup("AK2")?.ownerId).toMatch(/^[0-9a-f]{64}$/);
    expect(set.lookup("test")).toBeUndefined();
    writeFileSync(file, JSON.stringify({ credentials: [{ accessKeyId: "AK1" }] }));
    expect(() => loadCredentials(cfg(["--credentials", file]))).toThrow(/secretAccessKey/);
  });

  it("knows loopback addresses", () => {
    for (const h of ["127.0.0.1", "127.9.9.9", "::1", "[::1]", "localhost"]) expect(isLoopback(h)).toBe(true);
    for (const h of ["0.0.0.0", "::", "192.168.1.1", "example.com"]) expect(isLoopback(h)).toBe(false);
  });
});
