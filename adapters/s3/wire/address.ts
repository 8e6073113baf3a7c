// Where a request points: the service root, a bucket, or an object. Path style
// (`/bucket/key`) always works; virtual-host style (`bucket.s3.<baseDomain>`) when a base
// domain is configured.

export interface Address {
  bucket?: string;
  /** Object key, already percent-decoded; undefined when the request names no object. */
  key?: string;
}

export class BadAddressError extends Error {}

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new BadAddressError("invalid percent-encoding in path");
  }
}

/** Host without port, lowercased. */
function hostName(url: URL, headers: Headers): string {
  const host = headers.get("host") ?? url.host;
  const h = host.toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  const colon = h.lastIndexOf(":");
  return colon >= 0 ? h.slice(0, colon) : h;
}

/**
 * `path` is the path as the request target carried it (ServiceRequest.rawPath): keys are
 * opaque, so `a/../b`, `a/./b` and `a/%2E%2E/b` are keys of their own, not paths to resolve.
 */
export function parseAddress(url: URL, path: string, headers: Headers, baseDomain: string | undefined): Address {
  if (baseDomain) {
    const suffix = `.s3.${baseDomain.toLowerCase()}`;
    const host = hostName(url, headers);
    if (host.endsWith(suffix) && host.length > suffix.length) {
      const bucket = host.slice(0, -suffix.length);
      const rest = path.startsWith("/") ? path.slice(1) : path;
      return rest === "" ? { bucket } : { bucket, key: decodeSegment(rest) };
    }
  }
  const rest = path.startsWith("/") ? path.slice(1) : path;
  if (rest === "") return {};
  const slash = rest.indexOf("/");
  if (slash < 0) return { bucket: decodeSegment(rest) };
  const bucket = decodeSegment(rest.slice(0, slash));
  const key = rest.slice(slash + 1);
  return key === "" ? { bucket } : { bucket, key: decodeSegment(key) };
}
