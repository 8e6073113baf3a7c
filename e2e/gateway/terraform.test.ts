// Terraform's AWS provider against the real gateway, on both backends: the infrastructure
// tool most local AWS setups are driven by. One configuration declares an S3 bucket with
// the defaults modules state (encryption, public access block, ownership controls) and an
// object; SQS queues with a dead-letter queue, a FIFO queue and a queue policy; DynamoDB
// tables with TTL, a GSI, an LSI and an item. apply, a plan that must find no drift, an
// update that adds a GSI, and destroy must all complete, each checked through the SDK.
//
// The provider comes from the machine's filesystem mirror (/opt/tf-plugins; no registry is
// reachable). Without terraform or the mirror the test is skipped and says why. It takes
// ~2 minutes a backend: the provider waits ~25 s after each SQS queue write for its
// attributes to read back the same several times in a row, against any endpoint.

import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { DescribeTableCommand, DynamoDBClient, GetItemCommand, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, ListBucketsCommand } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { describeBothBackends, type E2EContext } from "../harness/both-backends.ts";

const run = promisify(execFile);
const MIRROR = "/opt/tf-plugins";
const PROVIDER_VERSION = "5.100.0";

function terraformMissing(): string | undefined {
  if (!existsSync(join(MIRROR, "registry.terraform.io/hashicorp/aws", PROVIDER_VERSION))) return `no provider mirror at ${MIRROR}`;
  const onPath = (process.env.PATH ?? "").split(":").some((dir) => existsSync(join(dir, "terraform")));
  return onPath ? undefined : "terraform is not on PATH";
}
const missing = terraformMissing();
if (missing) console.warn(`e2e/gateway/terraform: skipped, ${missing}`);

const CLI_CONFIG = `provider_installation {
  filesystem_mirror {
    path    = "${MIRROR}"
    include = ["registry.terraform.io/*/*"]
  }
  direct { exclude = ["registry.terraform.io/*/*"] }
}
`;

function configuration(c: E2EContext, withSecondGsi: boolean): string {
  const { endpoint, region, credentials } = c.gateway;
  const attr = (name: string, type: string) => `  attribute {\n    name = "${name}"\n    type = "${type}"\n  }\n`;
  return `terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "${PROVIDER_VERSION}" }
  }
}
provider "aws" {
  region                      = "${region}"
  access_key                  = "${credentials.accessKeyId}"
  secret_key                  = "${credentials.secretAccessKey}"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  s3_use_path_style           = true
  endpoints {
    s3       = "${endpoint}"
    sqs      = "${endpoint}"
    dynamodb = "${endpoint}"
    sts      = "${endpoint}"
  }
}
resource "aws_s3_bucket" "b" { bucket = "tf-bucket" }
resource "aws_s3_bucket_server_side_encryption_configuration" "b" {
  bucket = aws_s3_bucket.b.id
  rule {
    apply_server_side_encryption_by_default { sse_algorithm = "AES256" }
  }
}
resource "aws_s3_bucket_public_access_block" "b" {
  bucket                  = aws_s3_bucket.b.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
resource "aws_s3_bucket_ownership_controls" "b" {
  bucket = aws_s3_bucket.b.id
  rule { object_ownership = "BucketOwnerEnforced" }
}
resource "aws_s3_object" "o" {
  bucket       = aws_s3_bucket.b.id
  key          = "config/app.json"
  content      = "{\\"a\\":1}"
  content_type = "application/json"
  tags         = { k = "v" }
}
resource "aws_sqs_queue" "dlq" {
  name                      = "tf-dlq"
  message_retention_seconds = 1209600
}
resource "aws_sqs_queue" "q" {
  name           = "tf-q"
  redrive_policy = jsonencode({ deadLetterTargetArn = aws_sqs_queue.dlq.arn, maxReceiveCount = 3 })
}
resource "aws_sqs_queue" "fifo" {
  name                        = "tf-fifo.fifo"
  fifo_queue                  = true
  content_based_deduplication = true
  deduplication_scope         = "messageGroup"
  fifo_throughput_limit       = "perMessageGroupId"
}
resource "aws_sqs_queue_policy" "p" {
  queue_url = aws_sqs_queue.q.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "x", Effect = "Allow", Principal = { AWS = "arn:aws:iam::000000000000:root" }, Action = "sqs:SendMessage", Resource = aws_sqs_queue.q.arn }]
  })
}
resource "aws_dynamodb_table" "t" {
  name         = "tf-table"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"
${attr("pk", "S")}${attr("sk", "S")}  ttl {
    attribute_name = "exp"
    enabled        = true
  }
  tags = { env = "test" }
}
resource "aws_dynamodb_table" "t2" {
  name           = "tf-table2"
  billing_mode   = "PROVISIONED"
  read_capacity  = 5
  write_capacity = 5
  hash_key       = "pk"
  range_key      = "sk"
${attr("pk", "S")}${attr("sk", "N")}${attr("g", "S")}${attr("l", "S")}  global_secondary_index {
    name               = "byG"
    hash_key           = "g"
    range_key          = "sk"
    projection_type    = "INCLUDE"
    non_key_attributes = ["x"]
    read_capacity      = 2
    write_capacity     = 2
  }
${withSecondGsi ? `  global_secondary_index {
    name            = "byL2"
    hash_key        = "l"
    projection_type = "ALL"
    read_capacity   = 1
    write_capacity  = 1
  }
` : ""}  local_secondary_index {
    name            = "byL"
    range_key       = "l"
    projection_type = "KEYS_ONLY"
  }
  point_in_time_recovery { enabled = false }
}
resource "aws_dynamodb_table_item" "i" {
  table_name = aws_dynamodb_table.t2.name
  hash_key   = aws_dynamodb_table.t2.hash_key
  range_key  = aws_dynamodb_table.t2.range_key
  item       = jsonencode({ pk = { S = "a" }, sk = { N = "1" }, g = { S = "x" } })
}
`;
}

describeBothBackends("terraform", (ctx) => {
  it.skipIf(missing !== undefined)("applies, plans no drift, updates and destroys S3, SQS and DynamoDB resources", async () => {
    const c = ctx();
    const dir = mkdtempSync(join(tmpdir(), "tf-e2e-"));
    const env = { ...process.env, TF_CLI_CONFIG_FILE: join(dir, "cli.tfrc"), TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" };
    const terraform = (...args: string[]) => run("terraform", [...args, "-no-color", "-input=false"], { cwd: dir, env, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 });
    const sqs = new SQSClient(c.clientConfig);
    const ddb = new DynamoDBClient(c.clientConfig);
    try {
      writeFileSync(join(dir, "cli.tfrc"), CLI_CONFIG);
      writeFileSync(join(dir, "main.tf"), configuration(c, false));
      await terraform("init");
      await terraform("apply", "-auto-approve");
      const object = await c.s3.send(new GetObjectCommand({ Bucket: "tf-bucket", Key: "config/app.json" }));
      expect(await object.Body!.transformToString()).toBe('{"a":1}');
      const q = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: `${c.gateway.endpoint}/000000000000/tf-q`, AttributeNames: ["RedrivePolicy", "Policy"] }));
      expect(JSON.parse(q.Attributes!.RedrivePolicy!)).toMatchObject({ maxReceiveCount: 3 });
      expect(JSON.parse(q.Attributes!.Policy!).Statement[0].Sid).toBe("x");
      const item = await ddb.send(new GetItemCommand({ TableName: "tf-table2", Key: { pk: { S: "a" }, sk: { N: "1" } } }));
      expect(item.Item?.g).toEqual({ S: "x" });

      // What it applied reads back exactly as declared: a plan finds nothing to change.
      await terraform("plan", "-detailed-exitcode");

      writeFileSync(join(dir, "main.tf"), configuration(c, true));
      await terraform("apply", "-auto-approve");
      const t2 = await ddb.send(new DescribeTableCommand({ TableName: "tf-table2" }));
      expect(t2.Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName).sort()).toEqual(["byG", "byL2"]);
      await terraform("plan", "-detailed-exitcode");

      await terraform("destroy", "-auto-approve");
      expect((await c.s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).not.toContain("tf-bucket");
      expect((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "tf-" }))).QueueUrls ?? []).toEqual([]);
      expect((await ddb.send(new ListTablesCommand({}))).TableNames?.filter((n) => n.startsWith("tf-"))).toEqual([]);
    } finally {
      sqs.destroy();
      ddb.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
