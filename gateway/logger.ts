// The gateway's logger: pino, JSON lines on stdout, written asynchronously in batches.
//
// A synchronous write per request line costs more than SigV4 verification, so lines are
// batched. Not with sonic-boom's own buffering: it appends each line to one growing string
// and measures that string's UTF-8 length on every write, ~2.5 µs a line at 8 KiB batches.
// Here a line costs an array push; sonic-boom still does the writing (partial writes,
// EAGAIN on pipes, the synchronous flush at exit).

import pino, { type Logger } from "pino";

/** A batch is handed to sonic-boom at this size (UTF-16 units, close enough to bytes)… */
const BATCH_CHARS = 16 * 1024;
/** …or after this long, so an idle gateway's lines still appear promptly. */
const FLUSH_EVERY_MS = 500;

/** pino's own destination: a sonic-boom stream. */
type SonicBoom = ReturnType<typeof pino.destination>;

class LineBatcher {
  private lines: string[] = [];
  private chars = 0;

  constructor(private readonly sink: SonicBoom) {}

  write(line: string): boolean {
    this.lines.push(line);
    this.chars += line.length;
    if (this.chars >= BATCH_CHARS) this.flush();
    return true;
  }

  flush(): void {
    if (this.lines.length === 0) return;
    this.sink.write(this.lines.join(""));
    this.lines = [];
    this.chars = 0;
  }

  flushSync(): void {
    this.flush();
    this.sink.flushSync();
  }
}

export function createLogger(level: string): Logger {
  const sink = pino.destination({ dest: 1, sync: false });
  const batcher = new LineBatcher(sink);
  setInterval(() => batcher.flush(), FLUSH_EVERY_MS).unref();
  // process.exit() (shutdown, fatal errors) skips timers: write what is left first.
  process.once("exit", () => batcher.flushSync());
  return pino({ level }, batcher);
}
