// A small XML serializer for every XML response. S3 listings build thousands of elements
// per page and the edge path answers small Query/STS documents at tens of thousands a
// second; plain string building with escaping only where a value needs it is several times
// faster than a general-purpose builder. Shape of the input: objects nest, arrays repeat
// the element, "@_name" is an attribute, "#text" is text, undefined is dropped.

const NEEDS_ESCAPE = /[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f\r]/;

function escapeChar(c: string): string {
  switch (c) {
    case "&":
      return "&amp;";
    case "<":
      return "&lt;";
    case ">":
      return "&gt;";
    case '"':
      return "&quot;";
    case "'":
      return "&apos;";
    default:
      // Control characters (and CR, which XML parsers would normalise away) as references.
      return `&#${c.charCodeAt(0)};`;
  }
}

export function escapeXml(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(/[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f\r]/g, escapeChar) : s;
}

function scalar(v: unknown): string {
  return typeof v === "string" ? escapeXml(v) : String(v);
}

/** Already-serialized elements, emitted as they are (for hot paths such as listings). */
export class RawXml {
  constructor(readonly xml: string) {}
}

function element(out: string[], name: string, value: unknown): void {
  if (value === undefined) return;
  if (value instanceof RawXml) {
    out.push(value.xml);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) element(out, name, v);
    return;
  }
  if (value === null || typeof value !== "object") {
    out.push(`<${name}>`, scalar(value ?? ""), `</${name}>`);
    return;
  }
  let attrs = "";
  const children: [string, unknown][] = [];
  let text: unknown;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    if (k.startsWith("@_")) attrs += ` ${k.slice(2)}="${scalar(v)}"`;
    else if (k === "#text") text = v;
    else children.push([k, v]);
  }
  out.push(`<${name}${attrs}>`);
  if (text !== undefined) out.push(scalar(text));
  for (const [k, v] of children) element(out, k, v);
  out.push(`</${name}>`);
}

export function xmlDocument(root: string, body: Record<string, unknown>): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  element(out, root, body);
  return out.join("");
}
