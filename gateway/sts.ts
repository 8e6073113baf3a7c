// STS GetCallerIdentity on the edge port: tools call it to check their credentials
// (`aws sts get-caller-identity`). Nothing else of STS is served.

import { AwsError } from "../adapters/aws/errors.ts";
import type { Principal } from "../adapters/aws/service.ts";
import { xmlDocument } from "../adapters/aws/xml-writer.ts";
import { STS_XMLNS } from "./error-shape.ts";

export const STS_OPERATIONS = ["GetCallerIdentity"] as const;

export function handleSts(params: URLSearchParams, principal: Principal, accountId: string, requestId: string): Response {
  const action = params.get("Action");
  if (action !== "GetCallerIdentity") {
    throw new AwsError("InvalidAction", `Could not find operation ${action ?? ""} for version 2011-06-15`, { status: 400 });
  }
  const body = xmlDocument("GetCallerIdentityResponse", {
    "@_xmlns": STS_XMLNS,
    GetCallerIdentityResult: {
      Arn: `arn:aws:iam::${accountId}:user/${principal.displayName}`,
      UserId: principal.accessKeyId,
      Account: accountId,
    },
    ResponseMetadata: { RequestId: requestId },
  });
  return new Response(body, { status: 200, headers: { "content-type": "text/xml" } });
}
