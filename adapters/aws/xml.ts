// One XML parser and one builder for every XML protocol (S3 REST-XML, SQS Query).
// fast-xml-parser is what the AWS SDK itself uses; it is fast and has no native parts.

import { XMLBuilder, XMLParser, XMLValidator } from "fast-xml-parser";

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  suppressEmptyNode: false,
  format: false,
  processEntities: true,
});

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

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/**
 * Serialize `{ Root: {...} }` to an XML document. Arrays repeat the element; a key "@_xmlns"
 * sets an attribute. Undefined values are dropped.
 */
export function toXml(doc: Record<string, unknown>): string {
  return XML_DECLARATION + builder.build(doc);
}

export class XmlSyntaxError extends Error {}

/** Parse an XML document; throws XmlSyntaxError on malformed input. */
export function parseXml(text: string): Record<string, unknown> {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlSyntaxError(valid.err.msg);
  return parser.parse(text) as Record<string, unknown>;
}
