// Bounded label values for Prometheus. A metric family may track at most `capacity`
// distinct names; the rest share the `_other` label, so a scrape stays bounded however
// many queues, tables, buckets or key families exist.

export const OTHER_LABEL = "_other";

export class LabelBudget {
  private readonly tracked = new Set<string>();

  constructor(readonly capacity: number) {}

  /** The label to use for `name`: itself while a slot is free or already held, else `_other`. */
  label(name: string): string {
    if (this.tracked.has(name)) return name;
    if (this.tracked.size < this.capacity) {
      this.tracked.add(name);
      return name;
    }
    return OTHER_LABEL;
  }

  /** Whether `name` holds a slot. */
  has(name: string): boolean {
    return this.tracked.has(name);
  }

  /** Free `name`'s slot (for gauges whose subject disappeared; counters never free). */
  release(name: string): boolean {
    return this.tracked.delete(name);
  }

  get size(): number {
    return this.tracked.size;
  }
}
