// Placeholder until the s3 adapter lands: answers the protocol's NotImplemented error.
import type { AdapterFactory } from "../aws/service.ts";
import { notImplementedAdapter } from "../aws/not-implemented.ts";

export const createS3Adapter: AdapterFactory = () => notImplementedAdapter("s3");
