// Who may call the gateway. Credentials come from a JSON file and/or the environment. With
// none configured, one documented local key pair is accepted, and only while every
// listener is bound to loopback: an exposed gateway must never accept a public key pair.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import type { Principal } from "../adapters/aws/service.ts";
import { ConfigError, type GatewayConfig } from "./config.ts";

/** The documented local key pair (the same one LocalStack users already have configured). */
export const LOCAL_ACCESS_KEY_ID = "test";
export const LOCAL_SECRET_ACCESS_KEY = "test";

export interface CredentialSet {
  principals: Principal[];
  /** True when the documented local pair is in use. */
  usingLocalDefault: boolean;
  lookup(accessKeyId: string): Principal | undefined;
}

/** S3 canonical user ids are 64 hex characters; derive a stable one when none is given. */
function defaultOwnerId(accessKeyId: string): string {
  return createHash("sha256").update(`owner:${accessKeyId}`).digest("hex");
}

function principal(raw: Record<string, unknown>, where: string): Principal {
  const { accessKeyId, secretAccessKey, ownerId, displayName } = raw;
  if (typeof accessKeyId !== "string" || accessKeyId === "") throw new ConfigError(`${where}: accessKeyId must be a non-empty string`);
  if (typeof secretAccessKey !== "string" || secretAccessKey === "") throw new ConfigError(`${where}: secretAccessKey must be a non-empty string`);
  if (ownerId !== undefined && typeof ownerId !== "string") throw new ConfigError(`${where}: ownerId must be a string`);
  if (displayName !== undefined && typeof displayName !== "string") throw new ConfigError(`${where}: displayName must be a string`);
  return {
    accessKeyId,
    secretAccessKey,
    ownerId: ownerId ?? defaultOwnerId(accessKeyId),
    displayName: displayName ?? accessKeyId,
  };
}

function readCredentialsFile(path: string): Principal[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new ConfigError(`--credentials ${path}: ${(err as Error).message}`);
  }
  const list = (doc as { credentials?: unknown })?.credentials;
  if (!Array.isArray(list)) throw new ConfigError(`--credentials ${path}: expected {"credentials":[...]}`);
  return list.map((entry, i) => principal((entry ?? {}) as Record<string, unknown>, `--credentials ${path} [${i}]`));
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost") return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  if (isIP(h) === 6) return h === "::1";
  return false;
}

export function loadCredentials(config: GatewayConfig): CredentialSet {
  const principals: Principal[] = [];
  if (config.credentialsFile) principals.push(...readCredentialsFile(config.credentialsFile));
  if (config.accessKeyId && config.secretAccessKey) {
    principals.push(principal({ accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }, "environment"));
  }
  let usingLocalDefault = false;
  if (principals.length === 0) {
    if (!isLoopback(config.host)) {
      throw new ConfigError(
        `refusing to start on ${config.host} without credentials: the documented local key pair is only ` +
          `accepted on loopback. Pass --credentials FILE or --access-key-id/--secret-access-key.`,
      );
    }
    principals.push(principal({ accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY, displayName: "local" }, "default"));
    usingLocalDefault = true;
  }
  const byKey = new Map(principals.map((p) => [p.accessKeyId, p]));
  if (byKey.size !== principals.length) throw new ConfigError("duplicate accessKeyId in credentials");
  return { principals, usingLocalDefault, lookup: (id) => byKey.get(id) };
}
