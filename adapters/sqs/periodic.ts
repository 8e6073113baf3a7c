// A background pass that runs every interval until stopped: one pass at a time, errors
// logged and the loop kept alive, timers unref'd so an idle gateway can exit, and stop()
// waiting for a pass in progress.

import type { Logger } from "pino";

export class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    private readonly failureMessage: string,
    private readonly intervalMs: () => number,
    private readonly pass: (signal: AbortSignal) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  /** Aborts when stop() is called. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  start(): void {
    this.abort = new AbortController();
    const tick = () => {
      this.timer = setTimeout(() => {
        this.running = this.pass(this.abort.signal)
          .catch((err: unknown) => {
            if (!this.abort.signal.aborted) this.logger.warn({ err }, this.failureMessage);
          })
          .finally(() => {
            this.running = undefined;
            if (!this.abort.signal.aborted) tick();
          });
      }, this.intervalMs());
      this.timer.unref();
    };
    tick();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
