// One place that renders an AwsError in the shape of the protocol the request came in on.
// Used for what the gateway itself rejects (authentication, unknown service, crashes).

import { AwsError, jsonErrorResponse, queryErrorResponse, s3ErrorResponse } from "../adapters/aws/errors.ts";
import type { Route } from "./routing.ts";

export const SQS_XMLNS = "http://queue.amazonaws.com/doc/2012-11-05/";
export const STS_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";
const DYNAMODB_TYPE_PREFIX = "com.amazonaws.dynamodb.v20120810#";
const SQS_TYPE_PREFIX = "com.amazonaws.sqs#";

export function renderError(route: Route, err: AwsError, requestId: string, method: string): Response {
  switch (route.service) {
    case "s3":
      return s3ErrorResponse(err, requestId, method);
    case "dynamodb":
      return jsonErrorResponse(err, { typePrefix: DYNAMODB_TYPE_PREFIX });
    case "sqs":
      return route.protocol === "json"
        ? jsonErrorResponse(err, { typePrefix: SQS_TYPE_PREFIX, queryCompatible: true })
        : queryErrorResponse(err, requestId, SQS_XMLNS);
    case "sts":
      return queryErrorResponse(err, requestId, STS_XMLNS);
    case "unsupported":
      return jsonErrorResponse(err, { typePrefix: "" });
  }
}

/** What a crash inside a handler becomes: the service's generic retryable 500. */
export function internalError(route: Route): AwsError {
  const code = route.service === "dynamodb" ? "InternalServerError" : route.service === "s3" ? "InternalError" : "InternalFailure";
  return new AwsError(code, "We encountered an internal error. Please try again.", { status: 500, fault: "Receiver" });
}
