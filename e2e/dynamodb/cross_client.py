"""boto3 cross-check for the DynamoDB e2e suite: driven by cross-clients.test.ts with the
gateway endpoint in the environment; prints one JSON object with what it observed."""

import json
import os
import sys

import boto3
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

endpoint = os.environ["DDB_ENDPOINT"]
table_name = os.environ["DDB_TABLE"]
session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
client = session.client("dynamodb", endpoint_url=endpoint)
resource = session.resource("dynamodb", endpoint_url=endpoint)

out = {}
client.create_table(
    TableName=table_name,
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}],
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    BillingMode="PAY_PER_REQUEST",
)
client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
table = resource.Table(table_name)
with table.batch_writer() as batch:
    for i in range(30):
        batch.put_item(Item={"pk": "p", "sk": i - 10, "even": i % 2 == 0, "name": f"n{i}"})
resp = table.query(KeyConditionExpression=Key("pk").eq("p") & Key("sk").between(-3, 3), FilterExpression=Attr("even").eq(True))
out["query"] = [int(i["sk"]) for i in resp["Items"]]
out["scanned"] = resp["ScannedCount"]
table.update_item(Key={"pk": "p", "sk": 0}, UpdateExpression="SET #n = :v", ExpressionAttributeNames={"#n": "name"}, ExpressionAttributeValues={":v": "zero"})
out["updated"] = table.get_item(Key={"pk": "p", "sk": 0}, ConsistentRead=True)["Item"]["name"]
try:
    table.put_item(Item={"pk": "p", "sk": 0}, ConditionExpression="attribute_not_exists(pk)")
    out["condition"] = "accepted"
except ClientError as e:
    out["condition"] = e.response["Error"]["Code"]
    out["conditionMessage"] = e.response["Error"]["Message"]
try:
    client.transact_write_items(TransactItems=[{"ConditionCheck": {"TableName": table_name, "Key": {"pk": {"S": "p"}, "sk": {"N": "1"}}, "ConditionExpression": "attribute_not_exists(pk)"}}])
except ClientError as e:
    out["transact"] = e.response["Error"]["Code"]
    out["reasons"] = [r["Code"] for r in e.response.get("CancellationReasons", [])]
pages = client.get_paginator("scan").paginate(TableName=table_name, PaginationConfig={"PageSize": 7})
out["scanTotal"] = sum(len(p["Items"]) for p in pages)
print(json.dumps(out))
sys.stdout.flush()
