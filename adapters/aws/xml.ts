// One XML parser and one writer for every XML protocol (S3 REST-XML, SQS Query, STS).
// Parsing uses fast-xml-parser, which the AWS SDK itself uses and which has no native
// parts. Writing uses our own small writer: fast-xml-parser's builder cost ~20 µs for a
// four-element STS answer, more than the rest of the edge path together.

import { XMLParser, XMLValidator } from "fast-xml-parser";
import { xmlDocument } from "./xml-writer.ts";

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  // S3 allows any characters in keys; keep text exactly as sent.
  htmlEntities: false,
});

/**
 * Serialize `{ Root: {...} }` to an XML document. Arrays repeat the element; a key "@_xmlns"
 * sets an attribute. Undefined values are dropped.
 */
export function toXml(doc: Record<string, unknown>): string {
  const [root, body] = Object.entries(doc)[0]!;
  return xmlDocument(root, body as Record<string, unknown>);
}

export class XmlSyntaxError extends Error {}

/** Parse an XML document; throws XmlSyntaxError on malformed input. */
export function parseXml(text: string): Record<string, unknown> {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlSyntaxError(valid.err.msg);
  return parser.parse(text) as Record<string, unknown>;
}
