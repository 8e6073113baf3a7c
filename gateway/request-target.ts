// The request target as it came on the wire, before any URL parsing: WHATWG URL resolves
// `.` and `..` segments, which S3 keys and signatures must not see resolved.

/**
 * An absolute-form request target ("GET http://host/path HTTP/1.1", which HTTP/1.1 servers
 * must accept, RFC 9112 3.2.2) in origin-form: the path and query that signatures and the
 * operator paths are matched against.
 */
export function originForm(target: string): string {
  if (!/^https?:\/\//i.test(target)) return target;
  const rest = target.slice(target.indexOf("//") + 2);
  const start = rest.search(/[/?]/);
  if (start < 0) return "/";
  return rest[start] === "/" ? rest.slice(start) : "/" + rest.slice(start);
}

/** The path of an origin-form target, still percent-encoded and unresolved. */
export function pathOf(target: string | undefined): string {
  const t = target ?? "/";
  const q = t.indexOf("?");
  return q < 0 ? t : t.slice(0, q);
}
