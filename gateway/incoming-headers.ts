// A request's headers as adapters read them (the fetch `Headers` interface), over the
// header lines Node has already parsed. undici's Headers validates every name and value on
// construction (~3 µs for an SDK request) and brand-checks every get (~0.3 µs); SigV4 and
// routing read a dozen headers per request, so on a small request that cost more than
// SigV4's hashing. Semantics follow fetch: names are case-insensitive, repeated fields are
// joined with ", ", and iteration is in sorted name order. The separate values of a
// repeated field stay readable for the signature checks, which join them otherwise.

import type { RepeatedFields } from "../adapters/aws/sigv4/canonical.ts";

export class IncomingHeaders implements Headers, RepeatedFields {
  private readonly fields: Record<string, string> = Object.create(null) as Record<string, string>;
  private sortedNames: string[] | undefined;
  /** Each value of a field sent more than once, in order; made on the first repeat only. */
  repeated: Record<string, string[]> | undefined;

  /** `rawHeaders` as Node gives them: name, value, name, value, … */
  constructor(rawHeaders: readonly string[]) {
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) this.append(rawHeaders[i]!, rawHeaders[i + 1]!);
  }

  get(name: string): string | null {
    // Callers almost always ask in lower case already; skip the allocation then.
    return this.fields[name] ?? this.fields[name.toLowerCase()] ?? null;
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  getSetCookie(): string[] {
    const v = this.fields["set-cookie"];
    return v === undefined ? [] : [v];
  }

  set(name: string, value: string): void {
    const key = name.toLowerCase();
    this.fields[key] = value;
    if (this.repeated !== undefined) delete this.repeated[key];
    this.sortedNames = undefined;
  }

  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const prev = this.fields[key];
    if (prev === undefined) {
      this.fields[key] = value;
    } else {
      this.fields[key] = `${prev}, ${value}`;
      const repeated = (this.repeated ??= Object.create(null) as Record<string, string[]>);
      (repeated[key] ??= [prev]).push(value);
    }
    this.sortedNames = undefined;
  }

  delete(name: string): void {
    const key = name.toLowerCase();
    delete this.fields[key];
    if (this.repeated !== undefined) delete this.repeated[key];
    this.sortedNames = undefined;
  }

  private names(): string[] {
    return (this.sortedNames ??= Object.keys(this.fields).sort());
  }

  forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    for (const name of this.names()) callback.call(thisArg, this.fields[name]!, name, this);
  }

  *entries(): HeadersIterator<[string, string]> {
    for (const name of this.names()) yield [name, this.fields[name]!];
  }

  *keys(): HeadersIterator<string> {
    yield* this.names();
  }

  *values(): HeadersIterator<string> {
    for (const name of this.names()) yield this.fields[name]!;
  }

  [Symbol.iterator](): HeadersIterator<[string, string]> {
    return this.entries();
  }
}
