// SQS's error catalogue. JSON clients see `__type: com.amazonaws.sqs#<code>` (renamed by
// wire/json.ts for the codes the model has no shape for) plus the legacy Query code in
// `x-amzn-query-error`; Query clients see the legacy code in ErrorResponse.
// Codes and HTTP statuses follow the service model's awsQueryError traits.

import { AwsError } from "../aws/errors.ts";

function sqsError(code: string, queryCode: string, status: number, message: string): AwsError {
  return new AwsError(code, message, { status, queryCode });
}

export const queueDoesNotExist = () =>
  sqsError("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", 400, "The specified queue does not exist.");

/** Names the first attribute whose value differs, as AWS does (not the queue). */
export const queueNameExists = (attribute: string) =>
  sqsError("QueueNameExists", "QueueAlreadyExists", 400, `A queue already exists with the same name and a different value for attribute ${attribute}`);

export const queueDeletedRecently = () =>
  sqsError(
    "QueueDeletedRecently",
    "AWS.SimpleQueueService.QueueDeletedRecently",
    400,
    "You must wait 60 seconds after deleting a queue before you can create another with the same name.",
  );

export const invalidParameterValue = (message: string) =>
  sqsError("InvalidParameterValue", "InvalidParameterValue", 400, message);

export const missingParameter = (name: string) =>
  sqsError("MissingParameter", "MissingParameter", 400, `The request must contain the parameter ${name}.`);

export const invalidAttributeName = (name: string) =>
  sqsError("InvalidAttributeName", "InvalidAttributeName", 400, `Unknown Attribute ${name}.`);

/** Both server-side encryption options in one request (AWS answers InvalidAttributeName). */
export const oneSseOption = () =>
  sqsError("InvalidAttributeName", "InvalidAttributeName", 400,
    "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.");

export const invalidAttributeValue = (message: string) =>
  sqsError("InvalidAttributeValue", "InvalidAttributeValue", 400, message);

export const receiptHandleIsInvalid = (handle: string) =>
  sqsError("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", 404, `The input receipt handle "${handle}" is not a valid receipt handle.`);

export const messageNotInflight = () =>
  sqsError("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", 400, "Message does not exist or is not available for visibility timeout change.");

/** A FIFO receipt handle whose visibility timeout has passed (standard queues accept these). */
export const receiptHandleExpired = (handle: string) =>
  invalidParameterValue(`Value ${handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`);

/** A FIFO message without MessageDeduplicationId on a queue that cannot derive one. */
export const deduplicationIdRequired = () =>
  invalidParameterValue("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");

export const purgeQueueInProgress = (name: string) =>
  sqsError("PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", 403, `Only one PurgeQueue operation on ${name} is allowed every 60 seconds.`);

const INVALID_CHARACTERS = "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF";

/** A message body with a character outside the allowed set. */
export const invalidMessageContents = () => sqsError("InvalidMessageContents", "InvalidMessageContents", 400, INVALID_CHARACTERS);

/**
 * The same characters in a String/Number message attribute value: AWS answers
 * InvalidParameterValue there, not InvalidMessageContents (LocalStack's test validated
 * against AWS, test_invalid_string_attributes_cause_invalid_parameter_value_error). The
 * wording AWS uses is not recorded; the body's is reused.
 */
export const invalidAttributeContents = () => invalidParameterValue(INVALID_CHARACTERS);

export const emptyBatchRequest = (entryName: string) =>
  sqsError("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", 400, `There should be at least one ${entryName} in the request.`);

export const tooManyEntriesInBatchRequest = (n: number) =>
  sqsError("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400,
    `Maximum number of entries per request are 10. You have sent ${n}.`);

export const batchEntryIdsNotDistinct = (id: string) =>
  sqsError("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400, `Id ${id} repeated.`);

export const invalidBatchEntryId = () =>
  sqsError("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId", 400,
    "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.");

export const batchRequestTooLong = (limit: number, sent: number) =>
  sqsError("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", 400,
    `Batch requests cannot be longer than ${limit} bytes. You have sent ${sent} bytes.`);

export const overLimit = (message: string) => sqsError("OverLimit", "OverLimit", 403, message);

export const resourceNotFound = (message: string) =>
  sqsError("ResourceNotFoundException", "ResourceNotFoundException", 404, message);

export const unsupportedOperation = (message: string) =>
  sqsError("UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", 400, message);

export const invalidAction = (action: string) =>
  sqsError("InvalidAction", "InvalidAction", 400, `The action ${action} is not valid for this endpoint.`);

export const notImplemented = (action: string) =>
  sqsError("UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", 400, `${action} is not supported by this gateway.`);

export const malformedInput = (message: string) =>
  sqsError("InvalidParameterValue", "MalformedQueryString", 400, message);

export const serializationError = (message: string) =>
  sqsError("SerializationException", "MalformedInput", 400, message);

export const invalidAddress = () =>
  sqsError("InvalidAddress", "InvalidAddress", 404, "The address is not valid for this endpoint.");

/** A store failure the client should retry: SQS answers 500 InternalError for these. */
export const serviceUnavailable = () =>
  new AwsError("ServiceUnavailable", "Service is unable to handle request.", { status: 503, fault: "Receiver", queryCode: "ServiceUnavailable" });

export const internalError = () =>
  new AwsError("InternalError", "We encountered an internal error. Please try again.", { status: 500, fault: "Receiver", queryCode: "InternalError" });
