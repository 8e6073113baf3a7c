// `encoding-type=url` on listings: keys (and prefixes, delimiters, markers) come back
// URL-encoded, so that keys with characters XML 1.0 cannot carry survive the response.

import { S3Errors } from "./errors.ts";

/** How a listing writes keys: as they are, or URL-encoded ('/' kept, space as '+'). */
export function keyEncoder(q: URLSearchParams): (s: string) => string {
  const type = q.get("encoding-type");
  if (type === null) return (s) => s;
  if (type !== "url") throw S3Errors.invalidArgument("Invalid Encoding Method specified in Request", "encoding-type", type);
  return (s) => encodeURIComponent(s).replace(/%2F/g, "/").replace(/%20/g, "+");
}
