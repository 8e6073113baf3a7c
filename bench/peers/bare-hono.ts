// The ceiling for the gateway's own overhead: a Hono no-op handler on @hono/node-server,
// served exactly as the gateway is served. Prints "port N" when listening.

import { serve } from "@hono/node-server";
import { Hono } from "hono";

const app = new Hono();
app.all("*", (c) => c.text("ok"));
const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => {
  process.stdout.write(`port ${info.port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
