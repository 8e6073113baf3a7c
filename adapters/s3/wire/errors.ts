// S3's error codes, statuses and messages as AWS sends them. Operations throw these; the
// adapter serializes them with s3ErrorResponse.

import { AwsError } from "../../aws/errors.ts";

const e = (code: string, status: number, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  new AwsError(code, message, { status, extra, headers });

export const S3Errors = {
  noSuchBucket: (bucket: string) => e("NoSuchBucket", 404, "The specified bucket does not exist", { BucketName: bucket }),
  noSuchKey: (key: string) => e("NoSuchKey", 404, "The specified key does not exist.", { Key: key }),
  noSuchVersion: (key: string, versionId: string) =>
    e("NoSuchVersion", 404, "The specified version does not exist.", { Key: key, VersionId: versionId }),
  noSuchUpload: (uploadId: string) =>
    e("NoSuchUpload", 404, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", { UploadId: uploadId }),
  noSuchTagSet: (bucket: string) => e("NoSuchTagSet", 404, "The TagSet does not exist", { BucketName: bucket }),
  noSuchPublicAccessBlock: (bucket: string) =>
    e("NoSuchPublicAccessBlockConfiguration", 404, "The public access block configuration was not found", { BucketName: bucket }),
  noOwnershipControls: (bucket: string) => e("OwnershipControlsNotFoundError", 404, "The bucket ownership controls were not found", { BucketName: bucket }),
  bucketAlreadyOwnedByYou: (bucket: string) =>
    e("BucketAlreadyOwnedByYou", 409, "Your previous request to create the named bucket succeeded and you already own it.", { BucketName: bucket }),
  bucketAlreadyExists: (bucket: string) =>
    e("BucketAlreadyExists", 409, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.", { BucketName: bucket }),
  bucketNotEmpty: (bucket: string) => e("BucketNotEmpty", 409, "The bucket you tried to delete is not empty", { BucketName: bucket }),
  invalidBucketName: (bucket: string) => e("InvalidBucketName", 400, "The specified bucket is not valid.", { BucketName: bucket }),
  keyTooLong: (size: number) => e("KeyTooLongError", 400, "Your key is too long", { MaxSizeAllowed: 1024, Size: size }),
  invalidArgument: (message: string, name?: string, value?: string) =>
    e("InvalidArgument", 400, message, name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? "" }),
  /** Object Lock is not served, so no bucket here has it (LocalStack's snapshot, test_delete_object_with_no_locking). */
  bypassGovernanceWithoutLock: () =>
    e("InvalidArgument", 400, "x-amz-bypass-governance-retention is only applicable to Object Lock enabled buckets.", { ArgumentName: "x-amz-bypass-governance-retention" }),
  invalidRequest: (message: string) => e("InvalidRequest", 400, message),
  invalidPart: (uploadId: string, partNumber: number, etag: string) =>
    e("InvalidPart", 400, "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.", { UploadId: uploadId, PartNumber: partNumber, ETag: etag }),
  invalidPartOrder: (uploadId: string) =>
    e("InvalidPartOrder", 400, "The list of parts was not in ascending order. The parts list must be specified in order by part number.", { UploadId: uploadId }),
  entityTooSmall: (size: number, min: number) =>
    e("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size.", { ProposedSize: size, MinSizeAllowed: min }),
  entityTooLarge: (size: number, max: number) =>
    e("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed size", { ProposedSize: size, MaxSizeAllowed: max }),
  invalidRange: (range: string, size: number) =>
    e("InvalidRange", 416, "The requested range is not satisfiable", { RangeRequested: range, ActualObjectSize: size }, { "content-range": `bytes */${size}` }),
  preconditionFailed: (condition: string) =>
    e("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold", { Condition: condition }),
  conditionalRequestConflict: () =>
    e("ConditionalRequestConflict", 409, "A conflicting conditional action is currently in progress against this resource. Please try again."),
  badDigestMd5: () => e("BadDigest", 400, "The Content-MD5 you specified did not match what we received."),
  badDigestChecksum: (algorithm: string) =>
    e("BadDigest", 400, `The ${algorithm} you specified did not match the calculated checksum.`),
  invalidDigest: () => e("InvalidDigest", 400, "The Content-MD5 you specified was invalid."),
  invalidChecksum: (header: string) =>
    e("InvalidRequest", 400, `Value for ${header} header is invalid.`),
  malformedXml: () =>
    e("MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema"),
  incompleteBody: () => e("IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header"),
  missingContentLength: () => e("MissingContentLength", 411, "You must provide the Content-Length HTTP header."),
  invalidTag: (message: string, tag: { TagKey?: string; TagValue?: string } = {}) => e("InvalidTag", 400, message, tag),
  invalidTaggingHeader: (value: string) =>
    e("InvalidArgument", 400, "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.", { ArgumentName: "x-amz-tagging", ArgumentValue: value }),
  badRequest: (message: string) => e("BadRequest", 400, message),
  invalidLocationConstraint: (message = "The specified location-constraint is not valid") =>
    e("InvalidLocationConstraint", 400, message),
  illegalLocationConstraint: (region: string, requested: string) =>
    e("IllegalLocationConstraintException", 400, `The ${requested} location constraint is incompatible for the region specific endpoint this request was sent to.`, {}, { "x-amz-bucket-region": region }),
  methodNotAllowed: (method: string, resourceType: string) =>
    e("MethodNotAllowed", 405, "The specified method is not allowed against this resource.", { Method: method, ResourceType: resourceType }),
  invalidObjectState: (storageClass: string) =>
    e("InvalidObjectState", 403, "The operation is not valid for the object's storage class", { StorageClass: storageClass }),
  accessControlListNotSupported: () => e("AccessControlListNotSupported", 400, "The bucket does not allow ACLs"),
  invalidBucketAclWithObjectOwnership: () =>
    e("InvalidBucketAclWithObjectOwnership", 400, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"),
  notImplemented: (message = "A header you provided implies functionality that is not implemented") =>
    e("NotImplemented", 501, message),
  /** A conditional-write header S3 does not take in this form: it names the header(s) and why. */
  unsupportedCondition: (header: string, additionalMessage: string) =>
    e("NotImplemented", 501, "A header you provided implies functionality that is not implemented", { Header: header, additionalMessage }),
  internalError: () => e("InternalError", 500, "We encountered an internal error. Please try again."),
  slowDown: () => e("SlowDown", 503, "Please reduce your request rate."),
  serviceUnavailable: () => e("ServiceUnavailable", 503, "Service is unable to handle request."),
  requestTimeout: () =>
    e("RequestTimeout", 400, "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed."),
  invalidObjectName: () => e("InvalidArgument", 400, "Object name contains unsupported characters."),
  accessDenied: () => e("AccessDenied", 403, "Access Denied"),
};
