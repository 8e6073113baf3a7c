// The aws-sdk v2 package now ships SQS's JSON model. Old SDKs (v2 before 2023, Java v1,
// boto2) speak Query; to drive the gateway's Query front door with a real SDK, this
// rebuilds the 2012-11-05 Query model from the installed JSON one by adding the Query
// element names (flattened lists and maps) and result wrappers.

import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

type Shape = Record<string, unknown> & {
  type?: string;
  shape?: string;
  members?: Record<string, Shape>;
  member?: Shape;
  key?: Shape;
  value?: Shape;
  locationName?: string;
  flattened?: boolean;
};

const LIST_MEMBER: Record<string, string> = {
  AWSAccountIds: "AWSAccountId",
  Actions: "ActionName",
  AttributeNames: "AttributeName",
  MessageSystemAttributeNames: "MessageSystemAttributeName",
  MessageAttributeNames: "MessageAttributeName",
  TagKeys: "TagKey",
  QueueUrls: "QueueUrl",
  queueUrls: "QueueUrl",
  Failed: "BatchResultErrorEntry",
  Messages: "Message",
  Results: "ListMessageMoveTasksResultEntry",
  StringListValues: "StringListValue",
  BinaryListValues: "BinaryListValue",
};

const MAPS: Record<string, [string, string, string]> = {
  Attributes: ["Attribute", "Name", "Value"],
  tags: ["Tag", "Key", "Value"],
  Tags: ["Tag", "Key", "Value"],
  MessageAttributes: ["MessageAttribute", "Name", "Value"],
  MessageSystemAttributes: ["MessageSystemAttribute", "Name", "Value"],
};

export function sqsQueryModel(): Record<string, unknown> {
  const json = structuredClone(require("aws-sdk/apis/sqs-2012-11-05.min.json")) as {
    metadata: Record<string, unknown>;
    operations: Record<string, { input?: Shape; output?: Shape }>;
    shapes: Record<string, Shape>;
  };
  const m = json.metadata;
  m.protocol = "query";
  m.protocols = ["query"];
  m.xmlNamespace = "http://queue.amazonaws.com/doc/2012-11-05/";
  delete m.jsonVersion;
  delete m.targetPrefix;
  delete m.awsQueryCompatible;
  const resolve = (s: Shape): Shape => (s.shape ? json.shapes[s.shape]! : s);

  function patchStruct(s: Shape, op: string, out: boolean): void {
    const target = resolve(s);
    for (const [name, ref] of Object.entries(target.members ?? {})) {
      const shape = resolve(ref);
      if (shape.type === "list" || (ref.type === "list")) {
        let member = LIST_MEMBER[name];
        if (name === "Entries") member = `${op}RequestEntry`;
        if (name === "Successful") member = `${op}ResultEntry`;
        if (member) {
          ref.locationName = member;
          ref.flattened = true;
          shape.flattened = true;
          shape.member = { ...(shape.member ?? {}), locationName: member };
        }
        if (shape.member) patchStruct(shape.member, op, out);
      } else if (shape.type === "map" || ref.type === "map") {
        const rule = MAPS[name];
        if (rule) {
          ref.locationName = rule[0];
          ref.flattened = true;
          shape.flattened = true;
          shape.key = { ...(shape.key ?? {}), locationName: rule[1] };
          shape.value = { ...(shape.value ?? {}), locationName: rule[2] };
          if (shape.value) patchStruct(shape.value, op, out);
        }
      } else if (shape.type === "structure" || ref.members) {
        patchStruct(ref, op, out);
      }
    }
  }

  for (const [op, def] of Object.entries(json.operations)) {
    if (def.input) patchStruct(def.input, op, false);
    if (def.output) {
      def.output.resultWrapper = `${op}Result`;
      patchStruct(def.output, op, true);
    }
  }
  return json;
}
