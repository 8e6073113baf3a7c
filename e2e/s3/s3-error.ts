// The S3 error a call failed with (name, HTTP status, message), or a failure if it succeeded.

import { S3ServiceException } from "@aws-sdk/client-s3";

export async function s3Error(p: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof S3ServiceException) return { name: err.name, status: err.$metadata.httpStatusCode, message: err.message };
    throw err;
  }
  throw new Error("expected an S3 error");
}
