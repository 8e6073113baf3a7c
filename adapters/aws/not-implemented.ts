// The adapter a service has until its real one lands: every request answers that
// protocol's own NotImplemented-style error, so nothing is silently accepted.

import { AwsError, jsonErrorResponse, s3ErrorResponse } from "./errors.ts";
import type { ServiceAdapter, ServiceName } from "./service.ts";

export function notImplementedAdapter(service: ServiceName): ServiceAdapter {
  return {
    service,
    operations: [],
    async handle(req) {
      if (service === "s3") {
        const err = new AwsError("NotImplemented", "A header you provided implies functionality that is not implemented", { status: 501 });
        return s3ErrorResponse(err, req.requestId, req.method);
      }
      const prefix = service === "sqs" ? "com.amazonaws.sqs#" : "com.amazonaws.dynamodb.v20120810#";
      const err = new AwsError("UnknownOperationException", "The requested operation is not implemented yet", { status: 400 });
      return jsonErrorResponse(err, { typePrefix: prefix, queryCompatible: service === "sqs" });
    },
  };
}
