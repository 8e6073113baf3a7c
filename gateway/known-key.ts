// A cheap look at whether a request names an access key we know, from its Authorization
// header or presigned query alone: no verification (authenticate() does that), just enough
// to refuse a stranger before reading its body or inviting it (100 Continue) to send one.

import type { AuthOptions } from "../adapters/aws/sigv4/authenticate.ts";

/** SigV4 or SigV2, header or presigned. */
export function namesKnownKey(authorization: string | null | undefined, query: URLSearchParams, lookup: AuthOptions["lookup"]): boolean {
  let key: string | undefined;
  if (authorization) {
    if (authorization.startsWith("AWS4-")) key = /Credential=([^/,\s]+)\//.exec(authorization)?.[1];
    else if (authorization.startsWith("AWS ")) key = authorization.slice(4, authorization.lastIndexOf(":"));
  } else {
    key = query.get("X-Amz-Credential")?.split("/")[0] ?? query.get("AWSAccessKeyId") ?? undefined;
  }
  return key !== undefined && lookup(key) !== undefined;
}
