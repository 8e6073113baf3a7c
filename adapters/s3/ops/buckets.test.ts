// CreateBucket's LocationConstraint rules in a gateway outside us-east-1 (the e2e suites run
// in us-east-1).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import pino from "pino";
import { openTempStore, type TempStore } from "../../../kvclient/testing/temp-store.ts";
import { createS3AdapterWith, type S3Adapter } from "../index.ts";
import { DEFAULT_S3_OPTIONS } from "../config.ts";
import { request } from "./adapter-testing.ts";

let temp: TempStore;
let s3: S3Adapter;

beforeAll(async () => {
  temp = await openTempStore("s3-buckets");
  const config = { store: temp.store, region: "eu-west-1", accountId: "000000000000", registry: new Registry(), logger: pino({ level: "silent" }) };
  s3 = createS3AdapterWith(config, DEFAULT_S3_OPTIONS);
});

afterAll(() => temp.dispose());

const config = (lc: string) =>
  new TextEncoder().encode(`<CreateBucketConfiguration><LocationConstraint>${lc}</LocationConstraint></CreateBucketConfiguration>`);

async function create(name: string, body?: Uint8Array): Promise<{ status: number; code?: string; message?: string }> {
  const res = await s3.handle(request("PUT", `/${name}`, { body, buffered: body !== undefined }));
  const text = await res.text();
  return { status: res.status, code: /<Code>([^<]*)</.exec(text)?.[1], message: /<Message>([^<]*)</.exec(text)?.[1] };
}

describe("CreateBucket outside us-east-1", () => {
  it("needs the Region named, as AWS's regional endpoints do", async () => {
    expect(await create("no-config")).toEqual({
      status: 400,
      code: "IllegalLocationConstraintException",
      message: "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.",
    });
    expect(await create("other-region", config("eu-central-1"))).toMatchObject({ status: 400, code: "IllegalLocationConstraintException" });
    expect(await create("us-east-1-named", config("us-east-1"))).toMatchObject({ status: 400, code: "InvalidLocationConstraint" });
    expect(await create("named", config("eu-west-1"))).toEqual({ status: 200, code: undefined, message: undefined });
    const loc = await (await s3.handle(request("GET", "/named?location"))).text();
    expect(loc).toContain(">eu-west-1</LocationConstraint>");
  });
});
