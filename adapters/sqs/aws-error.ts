import { AwsError } from "../aws/errors.ts";

export const isAwsError = (err: unknown): err is AwsError => err instanceof AwsError;
