// S3 XML bodies in and out.

import { XMLParser, XMLValidator } from "fast-xml-parser";
import { ENTITY_ACTION, EntityDecoder } from "@nodable/entities";
import { xmlDocument } from "../../aws/xml-writer.ts";
import { S3Errors } from "./errors.ts";
import { createHash } from "node:crypto";

// Values are not trimmed: object keys may begin or end with spaces.
const bodyParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  // XML's own references and nothing else: the five named entities and numeric character
  // references, which SDKs write for CR, LF and tab in keys and tag values (`&#x0A;`).
  // Entities a DOCTYPE declares are never expanded.
  entityDecoder: new EntityDecoder({
    numericAllowed: true,
    onInputEntity: () => ENTITY_ACTION.BLOCK,
    onExternalEntity: () => ENTITY_ACTION.BLOCK,
  }),
  ignoreDeclaration: true,
});

export const S3_XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";

export function xmlResponse(root: string, body: Record<string, unknown>, init: { status?: number; headers?: HeadersInit } = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/xml");
  const text = xmlDocument(root, { "@_xmlns": S3_XMLNS, ...body });
  return new Response(text, { status: init.status ?? 200, headers });
}

/** Check Content-MD5 when the client sent one. */
export function verifyContentMd5(headers: Headers, bytes: Uint8Array): void {
  const md5 = headers.get("content-md5");
  if (md5 === null) return;
  const want = Buffer.from(md5, "base64");
  if (want.length !== 16 || want.toString("base64") !== md5.trim()) throw S3Errors.invalidDigest();
  const got = createHash("md5").update(bytes).digest();
  if (!got.equals(want)) throw S3Errors.badDigestMd5();
}

/** Parse an XML document body; the root element must be `root`. */
export function parseXmlBody(bytes: Uint8Array, root: string): Record<string, unknown> {
  const text = Buffer.from(bytes).toString("utf8");
  if (XMLValidator.validate(text) !== true) throw S3Errors.malformedXml();
  let doc: Record<string, unknown>;
  try {
    doc = bodyParser.parse(text) as Record<string, unknown>;
  } catch {
    // Well-formed but beyond the parser's limits (nesting over 100 levels): no S3 body
    // comes close to that.
    throw S3Errors.malformedXml();
  }
  const top = doc[root];
  if (top === undefined) throw S3Errors.malformedXml();
  if (top === "" || top === null) return {};
  if (typeof top !== "object" || Array.isArray(top)) throw S3Errors.malformedXml();
  return top as Record<string, unknown>;
}

export function asArray(v: unknown): unknown[] {
  if (v === undefined || v === null || v === "") return [];
  return Array.isArray(v) ? v : [v];
}

/** Text content of an element (parsed as a string, or an object with #text). */
export function textOf(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "object" && !Array.isArray(v) && "#text" in (v as Record<string, unknown>)) {
    return String((v as Record<string, unknown>)["#text"]);
  }
  if (typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).every((k) => k.startsWith("@_"))) return "";
  return undefined;
}

/** ISO-8601 as S3 writes it in XML: whole seconds, ".000Z". */
export function isoDate(ms: number): string {
  // S3 keeps times to the second (listings say "...:33.000Z"). Tools compare them with
  // what they saw elsewhere at second precision: `aws s3 sync --exact-timestamps` sets a
  // downloaded file's mtime to whole seconds and re-downloads whenever a listing says .418.
  return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

/** RFC 7231 date for headers. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}
