// Placeholder until the dynamodb adapter lands: answers the protocol's NotImplemented error.
import type { AdapterFactory } from "../aws/service.ts";
import { notImplementedAdapter } from "../aws/not-implemented.ts";

export const createDynamoDbAdapter: AdapterFactory = () => notImplementedAdapter("dynamodb");
