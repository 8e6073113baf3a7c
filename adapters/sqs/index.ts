// Placeholder until the sqs adapter lands: answers the protocol's NotImplemented error.
import type { AdapterFactory } from "../aws/service.ts";
import { notImplementedAdapter } from "../aws/not-implemented.ts";

export const createSqsAdapter: AdapterFactory = () => notImplementedAdapter("sqs");
