import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { XMLParser } from "fast-xml-parser";
import { RawXml, xmlDocument } from "./xml-writer.ts";

// The parser settings the AWS SDK uses for REST-XML responses.
const sdkParser = new XMLParser({ attributeNamePrefix: "", htmlEntities: true, ignoreAttributes: false, ignoreDeclaration: true, parseTagValue: false, trimValues: false, tagValueProcessor: (_, v) => (v.trim() === "" && v.includes("\n") ? "" : undefined) });

describe("xml writer", () => {
  it("writes nested elements, repeated elements, attributes and text", () => {
    expect(xmlDocument("R", { "@_xmlns": "ns", A: "x", B: [1, 2], C: { D: true }, E: undefined, F: { "#text": "t" } })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><R xmlns="ns"><A>x</A><B>1</B><B>2</B><C><D>true</D></C><F>t</F></R>',
    );
    expect(xmlDocument("R", {})).toBe('<?xml version="1.0" encoding="UTF-8"?><R></R>');
    expect(xmlDocument("R", { A: 1, B: new RawXml("<B>x</B><B>y</B>"), C: 2 })).toBe('<?xml version="1.0" encoding="UTF-8"?><R><A>1</A><B>x</B><B>y</B><C>2</C></R>');
  });

  it("round-trips any key through the SDK's parser", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme-composite", maxLength: 30 }), fc.string({ maxLength: 10 }), (key, key2) => {
        const text = xmlDocument("ListBucketResult", { Contents: [{ Key: key }, { Key: key2 + "&<>\"'\r\t" }] });
        const parsed = sdkParser.parse(text) as { ListBucketResult: { Contents: { Key: string }[] } };
        expect(parsed.ListBucketResult.Contents.map((c) => c.Key)).toEqual([key, key2 + "&<>\"'\r\t"]);
      }),
    );
  });
});
