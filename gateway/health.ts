// Health endpoints as load balancers use them. /healthz is liveness and never touches the
// store. /healthz/leader asks kvclient.verifyLeader under the probe request's own signal,
// capped at 5 s, so a stalled store answers 503 in time and abandoned probes leave
// nothing running (verifyLeader shares one in-flight check among all callers).

import type { Store } from "../kvclient/store.ts";
import { LEADER_CHECK_BOUND_MS } from "../kvclient/leader.ts";
import { errorReason } from "../kvclient/errors.ts";
import type { LeaderCheckMode } from "./config.ts";

const ALLOWED = "GET, HEAD";

function wantsJson(req: Request): boolean {
  return (req.headers.get("accept") ?? "").includes("application/json");
}

function reply(req: Request, status: number, plain: string, details: Record<string, unknown>): Response {
  const json = wantsJson(req);
  const body = req.method === "HEAD" ? null : json ? JSON.stringify(details) : `${plain}\n`;
  return new Response(body, {
    status,
    headers: { "content-type": json ? "application/json" : "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}

function methodNotAllowed(): Response {
  return new Response("method not allowed\n", { status: 405, headers: { allow: ALLOWED, "content-type": "text/plain; charset=utf-8" } });
}

export function liveness(req: Request): Response {
  if (req.method !== "GET" && req.method !== "HEAD") return methodNotAllowed();
  return reply(req, 200, "ok", { status: "ok" });
}

export async function leadership(req: Request, store: Store, mode: LeaderCheckMode): Promise<Response> {
  if (req.method !== "GET" && req.method !== "HEAD") return methodNotAllowed();
  const signal = AbortSignal.any([req.signal, AbortSignal.timeout(LEADER_CHECK_BOUND_MS)]);
  const started = performance.now();
  try {
    const info = await store.verifyLeader(signal);
    const ok = mode === "quorum" || info.localIsLeader;
    const details = {
      status: ok ? "ok" : "not leader",
      mode,
      backend: info.backend,
      leaderId: info.leaderId,
      term: info.term.toString(),
      localIsLeader: info.localIsLeader,
      checkLatencyMs: Math.round(info.latencyMs * 1000) / 1000,
    };
    return reply(req, ok ? 200 : 503, ok ? "ok" : "not leader", details);
  } catch (err) {
    return reply(req, 503, "not leader", {
      status: "not leader",
      mode,
      backend: store.backend,
      reason: errorReason(err),
      checkLatencyMs: Math.round((performance.now() - started) * 1000) / 1000,
    });
  }
}
