// Responses finished in one event-loop turn are written together, at the end of the turn.
//
// Why: a response written while its client sleeps in epoll makes the kernel wake the
// client, and on loopback (and on VMs) that wake-up is charged to the writer: ~10 µs of
// system CPU per response, more than SigV4. Node writes each response as soon as its
// handler resolves, interleaved with reading the next requests, so a fast client sleeps
// and is woken once per response. Holding the writes until the turn's check phase lets
// the client wake once per batch. Measured on the signed no-op (bench/REPORT.md): 76 → 53 µs
// CPU per request, 13.4k → 19.4k ops/s, p50 4 → 2 ms. The cost is a wait of at most the
// rest of the current turn, which is zero when the gateway is idle.

let turn: Promise<void> | undefined;

/** Resolves at the end of the current event-loop turn; every caller in a turn shares one. */
export function endOfTurn(): Promise<void> {
  return (turn ??= new Promise<void>((resolve) =>
    setImmediate(() => {
      turn = undefined;
      resolve();
    }),
  ));
}
