// The Query protocol front door: form fields (`Attribute.1.Name=…`) become the JSON
// protocol's members (`Attributes: {…}`), and results become `<ActionResponse>` XML with
// the element names of the 2012-11-05 Query model. Only names differ; values are the same.

import type { AwsError } from "../../aws/errors.ts";
import { xmlDocument } from "../../aws/xml-writer.ts";
import type { Input, Output } from "../model.ts";
import { dict } from "../dict.ts";

export const QUERY_XMLNS = "http://queue.amazonaws.com/doc/2012-11-05/";

type Tree = { [k: string]: Tree | string };

/** `a.1.b=x` → { a: { "1": { b: "x" } } }. Later duplicates win, as in a query map. */
function toTree(params: URLSearchParams): Tree {
  const root = dict<Tree | string>() as Tree;
  for (const [key, value] of params) {
    const parts = key.split(".");
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts[i]!;
      const next = node[p];
      if (typeof next === "object") node = next;
      else {
        const created = dict<Tree | string>() as Tree;
        node[p] = created;
        node = created;
      }
    }
    const last = parts[parts.length - 1]!;
    if (typeof node[last] !== "object") node[last] = value;
  }
  return root;
}

/** The values of `Name.N` entries ordered by N (1-based, possibly sparse). */
function indexed(node: Tree | string | undefined): (Tree | string)[] {
  if (node === undefined || typeof node === "string") return [];
  return Object.keys(node)
    .filter((k) => /^[0-9]+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => node[k]!);
}

const str = (v: Tree | string | undefined): string | undefined => (typeof v === "string" ? v : undefined);

function attributeValue(node: Tree | string | undefined): Record<string, unknown> | undefined {
  if (node === undefined || typeof node === "string") return undefined;
  const out = dict<unknown>();
  if (node.DataType !== undefined) out.DataType = str(node.DataType);
  if (node.StringValue !== undefined) out.StringValue = str(node.StringValue);
  if (node.BinaryValue !== undefined) out.BinaryValue = str(node.BinaryValue);
  if (node.StringListValue !== undefined) out.StringListValues = indexed(node.StringListValue).map(str);
  if (node.BinaryListValue !== undefined) out.BinaryListValues = indexed(node.BinaryListValue).map(str);
  return out;
}

function stringMap(node: Tree | string | undefined, keyName: string, valueName: string): Record<string, string> {
  const out = dict<string>();
  for (const e of indexed(node)) {
    if (typeof e === "string") continue;
    const k = str(e[keyName]);
    if (k !== undefined) out[k] = str(e[valueName]) ?? "";
  }
  return out;
}

function attributeMap(node: Tree | string | undefined): Record<string, unknown> {
  const out = dict<unknown>();
  for (const e of indexed(node)) {
    if (typeof e === "string") continue;
    const k = str(e.Name);
    if (k !== undefined) out[k] = attributeValue(e.Value) ?? {};
  }
  return out;
}

function entry(node: Tree | string): Record<string, unknown> {
  if (typeof node === "string") return {};
  const out = dict<unknown>();
  for (const [k, v] of Object.entries(node)) {
    if (k === "MessageAttribute") out.MessageAttributes = attributeMap(v);
    else if (k === "MessageSystemAttribute") out.MessageSystemAttributes = attributeMap(v);
    else if (typeof v === "string") out[k] = v;
  }
  return out;
}

const listNames: Record<string, string> = {
  AttributeName: "AttributeNames",
  MessageSystemAttributeName: "MessageSystemAttributeNames",
  MessageAttributeName: "MessageAttributeNames",
  TagKey: "TagKeys",
  AWSAccountId: "AWSAccountIds",
  ActionName: "Actions",
};

const entryLists: Record<string, true> = {
  SendMessageBatchRequestEntry: true,
  DeleteMessageBatchRequestEntry: true,
  ChangeMessageVisibilityBatchRequestEntry: true,
};

/** Decode Query form parameters into the action name and JSON-shaped input. */
export function parseQueryParams(params: URLSearchParams): { action: string | undefined; input: Input } {
  const tree = toTree(params);
  const action = str(tree.Action);
  const input = dict<unknown>() as Input;
  for (const [k, v] of Object.entries(tree)) {
    if (k === "Action" || k === "Version") continue;
    if (k === "Attribute") input.Attributes = stringMap(v, "Name", "Value");
    else if (k === "Tag") input[action === "CreateQueue" ? "tags" : "Tags"] = stringMap(v, "Key", "Value");
    else if (k === "MessageAttribute") input.MessageAttributes = attributeMap(v);
    else if (k === "MessageSystemAttribute") input.MessageSystemAttributes = attributeMap(v);
    else if (listNames[k]) input[listNames[k]] = indexed(v).map(str);
    else if (entryLists[k]) input.Entries = indexed(v).map(entry);
    else if (typeof v === "string") input[k] = v;
  }
  return { action, input };
}

// Output: JSON member → how the Query model names it.
type XmlRule =
  | { list: string }
  | { map: string; key: string; value: string };

const outputRules: Record<string, XmlRule> = {
  QueueUrls: { list: "QueueUrl" },
  queueUrls: { list: "QueueUrl" },
  Attributes: { map: "Attribute", key: "Name", value: "Value" },
  Tags: { map: "Tag", key: "Key", value: "Value" },
  Messages: { list: "Message" },
  MessageAttributes: { map: "MessageAttribute", key: "Name", value: "Value" },
  StringListValues: { list: "StringListValue" },
  BinaryListValues: { list: "BinaryListValue" },
  Failed: { list: "BatchResultErrorEntry" },
  Results: { list: "ListMessageMoveTasksResultEntry" },
};

const successfulEntry: Record<string, string> = {
  SendMessageBatch: "SendMessageBatchResultEntry",
  DeleteMessageBatch: "DeleteMessageBatchResultEntry",
  ChangeMessageVisibilityBatch: "ChangeMessageVisibilityBatchResultEntry",
};

function xmlValue(v: unknown, action: string): unknown {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "object" && !Array.isArray(v)) return xmlStruct(v as Record<string, unknown>, action);
  return String(v);
}

function xmlStruct(obj: Record<string, unknown>, action: string): Record<string, unknown> {
  const out = dict<unknown>();
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === null) continue;
    const rule: XmlRule | undefined =
      k === "Successful" ? { list: successfulEntry[action] ?? "Entry" } : outputRules[k];
    if (rule && "list" in rule && Array.isArray(v)) {
      out[rule.list] = v.map((e) => xmlValue(e, action));
    } else if (rule && "map" in rule && typeof v === "object") {
      out[rule.map] = Object.entries(v as Record<string, unknown>).map(([mk, mv]) => ({
        [rule.key]: mk,
        [rule.value]: xmlValue(mv, action),
      }));
    } else {
      out[k] = xmlValue(v, action);
    }
  }
  return out;
}

/** Actions whose model has no output: their answer is ResponseMetadata alone. */
const NO_OUTPUT: ReadonlySet<string> = new Set([
  "DeleteQueue", "SetQueueAttributes", "PurgeQueue", "DeleteMessage", "ChangeMessageVisibility",
  "TagQueue", "UntagQueue", "AddPermission", "RemovePermission",
]);

/** `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…` as SQS answers. */
export function queryResponseXml(action: string, output: Output, requestId: string): string {
  const body: Record<string, unknown> = { "@_xmlns": QUERY_XMLNS };
  if (Object.keys(output).length > 0) body[`${action}Result`] = xmlStruct(output, action);
  else if (!NO_OUTPUT.has(action)) body[`${action}Result`] = "";
  body.ResponseMetadata = { RequestId: requestId };
  return xmlDocument(`${action}Response`, body);
}

/**
 * Query answers word some errors differently from JSON ones: a missing queue is "does not
 * exist for this wsdl version." there (LocalStack's snapshot and tests validated against
 * AWS: test_non_existent_queue, test_get_on_deleted_queue_fails), "does not exist." in JSON.
 */
const QUERY_MESSAGES: ReadonlyMap<string, string> = new Map([
  ["AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist for this wsdl version."],
]);

/** The error's message as a Query answer words it. */
export function queryMessage(err: AwsError): string {
  return QUERY_MESSAGES.get(err.queryCode) ?? err.message;
}

/**
 * A request to a queue URL without an Action: AWS answers 404 with this bare document, not
 * an ErrorResponse (LocalStack's test validated against AWS,
 * test_get_without_query_returns_unknown_operation; aws-sdk v2 reads it as UnknownOperation).
 */
export function unknownOperationResponse(): Response {
  return new Response("<UnknownOperationException/>", { status: 404, headers: { "content-type": "text/xml" } });
}
