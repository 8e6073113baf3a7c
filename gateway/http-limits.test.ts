import { createServer, request, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { LISTENER_OPTIONS, boundBodyIdle } from "./http-limits.ts";

const IDLE_MS = 300;
let server: Server | undefined;

afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

/** A listener as the gateway makes them, whose handler bounds body pauses and echoes the size. */
function start(): Promise<number> {
  server = createServer(LISTENER_OPTIONS, (req, res) => {
    boundBodyIdle(req, IDLE_MS);
    let n = 0;
    req.on("data", (d: Buffer) => (n += d.length));
    req.on("end", () => res.end(String(n)));
  });
  return new Promise((resolve) => server!.listen(0, "127.0.0.1", () => resolve((server!.address() as AddressInfo).port)));
}

/** PUT `chunks` pieces of 10 bytes, `gapMs` apart; the status, or "closed" if the server hung up. */
function trickle(port: number, chunks: number, gapMs: number): Promise<number | "closed"> {
  return new Promise((resolve) => {
    const req = request({ port, host: "127.0.0.1", method: "PUT", headers: { "content-length": chunks * 10 } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", () => resolve("closed"));
    let sent = 0;
    const tick = () => {
      if (req.destroyed) return;
      req.write("x".repeat(10));
      if (++sent === chunks) req.end();
      else setTimeout(tick, gapMs);
    };
    tick();
  });
}

describe("listener time limits", () => {
  it("has no whole-request deadline but keeps Node's bound on slow headers", () => {
    const s = createServer(LISTENER_OPTIONS);
    expect(s.requestTimeout).toBe(0);
    expect(s.headersTimeout).toBe(60_000);
  });

  it("still cuts a client trickling its header lines with the whole-request bound off", async () => {
    // Node checks the headers bound in the same sweep as the request bound; shortened here.
    server = createServer({ ...LISTENER_OPTIONS, headersTimeout: 400, connectionsCheckingInterval: 50 }, (_req, res) => res.end());
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const sock = connect((server.address() as AddressInfo).port, "127.0.0.1");
    const got = await new Promise<string>((resolve) => {
      let text = "";
      sock.on("data", (d) => (text += d.toString()));
      sock.on("close", () => resolve(text));
      sock.write("GET / HTTP/1.1\r\nHost: x\r\n");
      const drip = setInterval(() => (sock.destroyed ? clearInterval(drip) : sock.write("X-Slow: 1\r\n")), 100);
    });
    expect(got).toMatch(/^HTTP\/1\.1 408/);
  });

  it("lets a body that keeps flowing take many idle periods", async () => {
    const port = await start();
    expect(await trickle(port, 12, IDLE_MS / 3)).toBe(200);
  });

  it("closes the connection when a body pauses longer than the idle bound", async () => {
    const port = await start();
    expect(await trickle(port, 3, IDLE_MS * 3)).toBe("closed");
  });
});
