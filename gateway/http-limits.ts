// How long a client may take to send a request. Node's defaults bound the whole request
// (requestTimeout, 300 s) and its headers (headersTimeout, 60 s). The first cut off any
// upload still streaming after five minutes with a bare 408: a 1 GiB PutObject at 3 MB/s,
// although S3 takes single PUTs of up to 5 GB and closes only an upload that goes idle (its
// RequestTimeout error: "Your socket connection to the server was not read from or written
// to within the timeout period"). So the listeners drop the whole-request bound, keep the
// headers bound (a slowloris trickling header lines is still cut at 60 s), and a body may
// pause at most BODY_IDLE_MS between bytes.

import type { IncomingMessage } from "node:http";

/** Longest pause inside a request body; S3's own idle limit is about 20 s. */
export const BODY_IDLE_MS = 60_000;

/**
 * Options for every listener (http.createServer). headersTimeout must be given: Node derives
 * its default as min(60 s, requestTimeout), which would be 0 (no bound) here.
 */
export const LISTENER_OPTIONS = { requestTimeout: 0, headersTimeout: 60_000 } as const;

/**
 * Close the connection if the body of `incoming` stalls for `idleMs`. Only for a request
 * that announced a body; the bound is lifted once the body has been read, unless Node has
 * since set its own (keep-alive) timeout on the socket.
 */
export function boundBodyIdle(incoming: IncomingMessage, idleMs = BODY_IDLE_MS): void {
  if (incoming.complete) return;
  const socket = incoming.socket;
  socket.setTimeout(idleMs);
  incoming.once("end", () => {
    if (socket.timeout === idleMs) socket.setTimeout(0);
  });
}
