// DynamoDB's error shapes. Most errors carry `message`; a few (TransactionCanceledException,
// SerializationException) carry `Message`, and the coral framework's own errors live in
// other namespaces than the service's.

import { AwsError, type AwsErrorOptions } from "../../aws/errors.ts";

const SERVICE = "com.amazonaws.dynamodb.v20120810#";
const VALIDATE = "com.amazon.coral.validate#";
const CORAL = "com.amazon.coral.service#";

export class DdbError extends AwsError {
  constructor(
    code: string,
    message: string | undefined,
    readonly namespace: string = SERVICE,
    readonly messageKey: "message" | "Message" = "message",
    opts: AwsErrorOptions = {},
  ) {
    super(code, message ?? "", opts);
  }
  readonly hasMessage = true;
}

export function validationError(message: string): DdbError {
  return new DdbError("ValidationException", message, VALIDATE);
}
export function serializationError(message?: string): DdbError {
  const e = new DdbError("SerializationException", message, CORAL, "Message");
  return message === undefined ? Object.assign(e, { hasMessage: false }) : e;
}
export function unknownOperation(): DdbError {
  return Object.assign(new DdbError("UnknownOperationException", undefined, CORAL), { hasMessage: false });
}
export function resourceNotFound(message = "Requested resource not found"): DdbError {
  return new DdbError("ResourceNotFoundException", message);
}
export function tableNotFound(name: string): DdbError {
  return resourceNotFound(`Requested resource not found: Table: ${name} not found`);
}
export function resourceInUse(message: string): DdbError {
  return new DdbError("ResourceInUseException", message);
}
export function conditionalCheckFailed(item?: Record<string, unknown>): DdbError {
  return new DdbError("ConditionalCheckFailedException", "The conditional request failed", SERVICE, "message", {
    extra: item ? { Item: item } : {},
  });
}
export function transactionCanceled(reasons: { Code: string; Message?: string; Item?: unknown }[]): DdbError {
  const codes = reasons.map((r) => r.Code).join(", ");
  return new DdbError(
    "TransactionCanceledException",
    `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes}]`,
    SERVICE,
    "Message",
    { extra: { CancellationReasons: reasons } },
  );
}
export function transactionConflict(): DdbError {
  return new DdbError("TransactionConflictException", "Transaction is ongoing for the item");
}
export function idempotentMismatch(): DdbError {
  return new DdbError(
    "IdempotentParameterMismatchException",
    "Request parameters do not match the original request with the same client token",
    SERVICE,
    "Message",
  );
}
export const COLLECTION_SIZE_EXCEEDED = "Collection size exceeded";
export function itemCollectionSizeLimitExceeded(): DdbError {
  return new DdbError("ItemCollectionSizeLimitExceededException", COLLECTION_SIZE_EXCEEDED);
}
export function limitExceeded(message: string): DdbError {
  return new DdbError("LimitExceededException", message);
}
/** Store trouble: the SDKs retry InternalServerError and throttling. */
export function internalError(): DdbError {
  return new DdbError("InternalServerError", "Internal server error", SERVICE, "message", { status: 500 });
}
export function errorBody(err: DdbError): Record<string, unknown> {
  const body: Record<string, unknown> = { __type: err.namespace + err.code };
  if (err.code === "TransactionCanceledException") {
    // DynamoDB puts CancellationReasons before Message.
    Object.assign(body, err.extra);
    body[err.messageKey] = err.message;
    return body;
  }
  if (err.hasMessage) body[err.messageKey] = err.message;
  Object.assign(body, err.extra);
  return body;
}
