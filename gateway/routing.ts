// Which service a request is for, decided without reading its body: the service in the
// SigV4 credential scope, then X-Amz-Target, then an SQS Query Action, else S3.

import { credentialScope } from "../adapters/aws/sigv4/authenticate.ts";
import { sigV2AccessKey } from "../adapters/aws/sigv4/sigv2.ts";
import type { ServiceName } from "../adapters/aws/service.ts";

export type RoutedService = ServiceName | "sts";
export type Protocol = "rest-xml" | "json" | "query";

export interface Route {
  service: RoutedService | "unsupported";
  protocol: Protocol;
  /** The scope's service name when it named one we do not serve. */
  scopeService?: string;
}

const SCOPE_SERVICES: Record<string, RoutedService> = { s3: "s3", sqs: "sqs", dynamodb: "dynamodb", sts: "sts" };

function protocolOf(service: RoutedService, headers: Headers): Protocol {
  switch (service) {
    case "s3":
      return "rest-xml";
    case "dynamodb":
      return "json";
    case "sts":
      return "query";
    case "sqs":
      return headers.has("x-amz-target") ? "json" : "query";
  }
}

function byContent(url: URL, headers: Headers): RoutedService {
  const target = headers.get("x-amz-target");
  if (target?.startsWith("DynamoDB_20120810.")) return "dynamodb";
  if (target?.startsWith("AmazonSQS.")) return "sqs";
  const action = url.searchParams.get("Action");
  if (action === "GetCallerIdentity") return "sts";
  if (action) return "sqs";
  // Signature Version 2 (header or presigned) is S3's alone; its object may have any
  // Content-Type, a url-encoded form included.
  if (sigV2AccessKey(url, headers) !== undefined) return "s3";
  // The SQS Query protocol always sends a url-encoded form; S3's own requests never do
  // (browser POST uploads are multipart): an unsigned Query POST gets an SQS-shaped answer.
  const type = headers.get("content-type") ?? "";
  if (type.startsWith("application/x-www-form-urlencoded")) return "sqs";
  return "s3";
}

/** `only` pins a per-service listener to one service. */
export function routeRequest(url: URL, headers: Headers, only?: ServiceName): Route {
  if (only) return { service: only, protocol: protocolOf(only, headers) };
  const scope = credentialScope(url, headers);
  if (scope) {
    const service = SCOPE_SERVICES[scope.service];
    if (!service) return { service: "unsupported", protocol: "json", scopeService: scope.service };
    return { service, protocol: protocolOf(service, headers) };
  }
  const service = byContent(url, headers);
  return { service, protocol: protocolOf(service, headers) };
}

/** The response header each SDK reads the request id from. */
export function requestIdHeaders(route: Route, requestId: string): [string, string][] {
  return route.service === "s3"
    ? [["x-amz-request-id", requestId], ["x-amz-id-2", requestId]]
    : [["x-amzn-RequestId", requestId]];
}
