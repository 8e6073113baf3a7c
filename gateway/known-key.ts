// Whether a request names an access key we know, from its Authorization header or
// presigned query alone: no verification (authenticate() does that), just enough to refuse
// a stranger before reading its body or inviting it (100 Continue) to send one.

import { requestAccessKey, type AuthOptions } from "../adapters/aws/sigv4/authenticate.ts";

export function namesKnownKey(url: URL, headers: Headers, lookup: AuthOptions["lookup"]): boolean {
  const key = requestAccessKey(url, headers);
  return key !== undefined && lookup(key) !== undefined;
}
