// Message content rules as SQS enforces them: body characters and size, message attribute
// names, types and values, and the AWSTraceHeader system attribute.

import {
  invalidAttributeContents,
  invalidMessageContents,
  invalidParameterValue,
  missingParameter,
} from "./errors.ts";
import type { MessageAttributeValue } from "./model.ts";
import { dict } from "./dict.ts";

// XML 1.0 characters: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
const INVALID_CHARS = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export const MAX_ATTRIBUTES = 10;
// Letters and digits of any script: AWS accepts "attr.1øßä" (LocalStack's test validated
// against AWS, test_send_message_with_invalid_string_attributes) and refuses "!", "§", "(".
const ATTR_NAME_RE = /^[\p{L}\p{N}_.-]{1,256}$/u;
const TYPE_RE = /^(String|Number|Binary)(\..+)?$/;

export function validateBody(body: unknown): string {
  if (body === undefined || body === null || body === "") throw missingParameter("MessageBody");
  if (typeof body !== "string") throw invalidParameterValue("Value for parameter MessageBody is invalid. Reason: must be a string.");
  if (INVALID_CHARS.test(body)) throw invalidMessageContents();
  return body;
}

function attributeError(message: string) {
  return invalidParameterValue(message);
}

function validateValue(name: string, raw: unknown, system: boolean): MessageAttributeValue {
  const kind = system ? "message system attribute" : "message attribute";
  if (raw === null || typeof raw !== "object") throw attributeError(`The ${kind} '${name}' must contain non-empty message attribute value.`);
  const v = raw as Record<string, unknown>;
  const dataType = typeof v.DataType === "string" ? v.DataType : "";
  if (dataType === "") throw attributeError(`The ${kind} '${name}' must contain non-empty message attribute type.`);
  if (dataType.length > 256 || !TYPE_RE.test(dataType)) {
    throw attributeError(
      `The type of ${system ? "message system" : "message (user)"} attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
    );
  }
  const base = dataType.split(".")[0]!;
  const out: MessageAttributeValue = { DataType: dataType };
  if (v.StringListValues !== undefined || v.BinaryListValues !== undefined) {
    const sl = Array.isArray(v.StringListValues) ? v.StringListValues : [];
    const bl = Array.isArray(v.BinaryListValues) ? v.BinaryListValues : [];
    if (sl.length > 0 || bl.length > 0) throw attributeError(`Message attribute list values in '${name}' are not supported.`);
  }
  if (base === "Binary") {
    const b = v.BinaryValue;
    if (typeof b !== "string" || b === "") throw attributeError(`The ${kind} '${name}' with type 'Binary' must use field 'Binary'.`);
    out.BinaryValue = b;
  } else {
    const s = v.StringValue;
    if (typeof s !== "string") throw attributeError(`The ${kind} '${name}' with type '${base}' must use field 'String'.`);
    // An empty value, as AWS words it (LocalStack's test validated against AWS,
    // test_send_message_with_empty_string_attribute).
    if (s === "") throw attributeError(`Message ${system ? "system" : "(user)"} attribute '${name}' must contain a non-empty value of type '${base}'.`);
    if (INVALID_CHARS.test(s)) throw invalidAttributeContents();
    if (base === "Number") {
      if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s.trim())) {
        throw attributeError(`Can't cast the value of message (user) attribute '${name}' to a number.`);
      }
    }
    out.StringValue = s;
  }
  return out;
}

/** Why SQS refuses a message (user) attribute name, or undefined when it accepts it. */
function attributeNameProblem(name: string): "characters" | "reserved" | undefined {
  if (!ATTR_NAME_RE.test(name) || name.startsWith(".") || name.endsWith(".") || name.includes("..")) return "characters";
  const lower = name.toLowerCase();
  if (lower.startsWith("aws.") || lower.startsWith("amazon.")) return "reserved";
  return undefined;
}

/** Whether a message may carry a (user) attribute of this name. */
export const isUserAttributeName = (name: string): boolean => attributeNameProblem(name) === undefined;

export function validateMessageAttributes(raw: unknown): Record<string, MessageAttributeValue> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "object" || Array.isArray(raw)) throw invalidParameterValue("MessageAttributes must be a map.");
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) return undefined;
  if (entries.length > MAX_ATTRIBUTES) {
    throw invalidParameterValue(`Number of message attributes [${entries.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`);
  }
  const out = dict<MessageAttributeValue>();
  for (const [name, value] of entries) {
    const problem = attributeNameProblem(name);
    if (problem === "characters") {
      throw invalidParameterValue(`Message (user) attribute name '${name}' is invalid. The attribute name can contain A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters.`);
    }
    if (problem === "reserved") {
      throw invalidParameterValue(`You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. These strings are reserved for internal use.`);
    }
    out[name] = validateValue(name, value, false);
  }
  return out;
}

export function validateSystemAttributes(raw: unknown): Record<string, MessageAttributeValue> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "object" || Array.isArray(raw)) throw invalidParameterValue("MessageSystemAttributes must be a map.");
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) return undefined;
  const out = dict<MessageAttributeValue>();
  for (const [name, value] of entries) {
    if (name !== "AWSTraceHeader") throw invalidParameterValue(`Message system attribute name '${name}' is invalid.`);
    const v = validateValue(name, value, true);
    if (v.DataType !== "String") throw invalidParameterValue(`The message system attribute '${name}' must be of type 'String'.`);
    out[name] = v;
  }
  return out;
}

/** Bytes a message counts against MaximumMessageSize: body plus attribute names, types, values. */
export function messageSize(body: string, attrs: Record<string, MessageAttributeValue> | undefined): number {
  let n = Buffer.byteLength(body, "utf8");
  for (const [name, v] of Object.entries(attrs ?? {})) {
    n += Buffer.byteLength(name, "utf8") + Buffer.byteLength(v.DataType, "utf8");
    if (v.StringValue !== undefined) n += Buffer.byteLength(v.StringValue, "utf8");
    if (v.BinaryValue !== undefined) n += Buffer.from(v.BinaryValue, "base64").length;
  }
  return n;
}

const GROUP_RE = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;

export function validateGroupOrDedupId(name: "MessageGroupId" | "MessageDeduplicationId", value: string): void {
  if (!GROUP_RE.test(value)) {
    throw invalidParameterValue(
      `Value ${value} for parameter ${name} is invalid. Reason: ${name} can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
    );
  }
}
