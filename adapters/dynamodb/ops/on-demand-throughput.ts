// OnDemandThroughput (the read/write request-unit ceilings of an on-demand table or GSI):
// which members a request sets, how an update merges them, and the range check.

import type { OnDemandThroughput } from "../storage/table.ts";

// Captured from DynamoDB: the messages name the first member sent, read checked first; on a
// PROVISIONED table the billing-mode refusal comes before the range check. -1 removes a
// ceiling, so UpdateTable takes it and CreateTable (nothing to remove) does not. An empty
// struct sets nothing.

const ON_DEMAND_MEMBERS = ["MaxReadRequestUnits", "MaxWriteRequestUnits"] as const;

export function onDemandSent(odt: OnDemandThroughput | undefined): (typeof ON_DEMAND_MEMBERS)[number][] {
  return ON_DEMAND_MEMBERS.filter((m) => odt?.[m] != null);
}

/**
 * Apply a request's OnDemandThroughput to a table or index record, member-wise: a member
 * sent replaces the current one and -1 removes it; the struct goes once none is left.
 */
export function applyOnDemand(rec: { onDemand?: OnDemandThroughput }, req: OnDemandThroughput | undefined): void {
  const out: OnDemandThroughput = { ...rec.onDemand };
  for (const m of onDemandSent(req)) {
    if (req![m] === -1) delete out[m];
    else out[m] = req![m];
  }
  if (onDemandSent(out).length) rec.onDemand = out;
  else delete rec.onDemand;
}

/** The range check, per table or index; `minusOne` says whether -1 (removal) is taken. */
export function onDemandOutOfRange(odt: OnDemandThroughput | undefined, minusOne: boolean): string | undefined {
  return onDemandSent(odt).find((m) => odt![m]! < 1 && !(minusOne && odt![m] === -1));
}
