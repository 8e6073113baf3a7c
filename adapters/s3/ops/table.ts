// Operation name -> handler. Every name here appears in wire/route.ts.

import type { S3Call } from "./call.ts";
import * as acl from "./acl.ts";
import * as buckets from "./buckets.ts";
import * as defaults from "./bucket-defaults.ts";
import { putObject } from "./put-object.ts";
import { getOrHeadObject } from "./get-object.ts";
import { deleteObject, deleteObjects } from "./delete-object.ts";
import * as mp from "./multipart.ts";
import { copyObject } from "./copy-object.ts";
import * as tagging from "./object-tagging.ts";
import { listObjectsV1, listObjectsV2, listObjectVersions } from "./list-objects.ts";

export type Handler = (call: S3Call) => Promise<Response>;

export const OPERATIONS: Readonly<Record<string, Handler>> = {
  ListBuckets: buckets.listBuckets,
  CreateBucket: buckets.createBucket,
  HeadBucket: buckets.headBucket,
  DeleteBucket: buckets.deleteBucket,
  GetBucketLocation: buckets.getBucketLocation,
  GetBucketVersioning: buckets.getBucketVersioning,
  GetBucketAcl: acl.getBucketAcl,
  PutBucketAcl: acl.putBucketAcl,
  PutPublicAccessBlock: defaults.putPublicAccessBlock,
  PutBucketOwnershipControls: defaults.putBucketOwnershipControls,
  PutBucketNotificationConfiguration: defaults.putBucketNotificationConfiguration,
  PutBucketRequestPayment: defaults.putBucketRequestPayment,
  PutBucketEncryption: defaults.putBucketEncryption,
  DeleteBucketEncryption: defaults.deleteUnconfigured,
  DeleteBucketPolicy: defaults.deleteUnconfigured,
  DeleteBucketCors: defaults.deleteUnconfigured,
  DeleteBucketLifecycle: defaults.deleteUnconfigured,
  DeleteBucketWebsite: defaults.deleteUnconfigured,
  DeleteBucketReplication: defaults.deleteUnconfigured,
  GetPublicAccessBlock: defaults.getPublicAccessBlock,
  GetBucketOwnershipControls: defaults.getBucketOwnershipControls,
  DeletePublicAccessBlock: defaults.deletePublicAccessBlock,
  DeleteBucketOwnershipControls: defaults.deleteBucketOwnershipControls,
  PutBucketTagging: buckets.putBucketTagging,
  GetBucketTagging: buckets.getBucketTagging,
  DeleteBucketTagging: buckets.deleteBucketTagging,
  PutObject: putObject,
  GetObject: (c) => getOrHeadObject(c, false),
  HeadObject: (c) => getOrHeadObject(c, true),
  DeleteObject: deleteObject,
  DeleteObjects: deleteObjects,
  ListObjectsV2: listObjectsV2,
  ListObjects: listObjectsV1,
  ListObjectVersions: listObjectVersions,
  CopyObject: copyObject,
  PutObjectTagging: tagging.putObjectTagging,
  GetObjectTagging: tagging.getObjectTagging,
  DeleteObjectTagging: tagging.deleteObjectTagging,
  GetObjectAttributes: tagging.getObjectAttributes,
  GetObjectAcl: acl.getObjectAcl,
  PutObjectAcl: acl.putObjectAcl,
  CreateMultipartUpload: mp.createMultipartUpload,
  UploadPart: mp.uploadPart,
  UploadPartCopy: mp.uploadPartCopy,
  CompleteMultipartUpload: mp.completeMultipartUpload,
  AbortMultipartUpload: mp.abortMultipartUpload,
  ListParts: mp.listParts,
  ListMultipartUploads: mp.listMultipartUploads,
};
