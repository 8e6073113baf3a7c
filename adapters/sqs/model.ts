// Typed shapes shared by the wire layer and the operations. Requests arrive in the JSON
// protocol's member names (the Query wire maps its form fields onto them); binary values
// stay base64 strings end to end, which is how both wires carry them.

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  /** Base64. */
  BinaryValue?: string;
  StringListValues?: string[];
  BinaryListValues?: string[];
}

/** A decoded request: JSON-protocol member names, values as the client sent them. */
export type Input = Record<string, unknown>;
/** An operation's result in JSON-protocol member names; the Query wire renames to XML. */
export type Output = Record<string, unknown>;

export interface OperationContext {
  /** Scheme + host the client used, for queue URLs (`http://127.0.0.1:4566`). */
  origin: string;
  /** The queue URL path when the request was addressed to one (Query protocol). */
  pathQueueUrl?: string;
  requestId: string;
  /** SenderId reported on messages this request sends (the caller's access key id). */
  senderId: string;
  signal: AbortSignal;
}
