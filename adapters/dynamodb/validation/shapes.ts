// Per-operation input tables. Member order is the order DynamoDB reports violations in.

import type { Fields, MapSpec, Spec, StringSpec, StructSpec } from "./engine.ts";

const NAME_RE = "[a-zA-Z0-9_.-]+";
const str = (o: Omit<StringSpec, "type"> = {}): StringSpec => ({ type: "String", ...o });
// Data-plane operations: AWS reports a minimum length of 1 (names of 1-2 characters then
// simply do not exist) and does not report the pattern for an empty name.
const tableName = (): StringSpec => str({ notNull: true, regex: NAME_RE, minLen: 1, maxLen: 255, regexSkipsEmpty: true });
// Control-plane operations say when the name is absent; CreateTable then holds names to
// 3-255 characters, while the others (which also take ARNs) only need one character.
const createTableName = (): StringSpec => str({ required: true, regex: NAME_RE, minLen: 3, maxLen: 255 });
const strictTableName = (): StringSpec => str({ required: true, regex: NAME_RE, minLen: 1, maxLen: 255, regexSkipsEmpty: true });
const indexName = (notNull = false): StringSpec => str({ notNull, regex: NAME_RE, minLen: 3, maxLen: 255 });
const attrMap = (notNull = false): MapSpec => ({ type: "Map", of: "AttributeValue", notNull, member: { type: "Attr", value: true } });
const namesMap = (): MapSpec => ({ type: "Map", of: "java.lang.String", member: { type: "String" } });
const BOOL: Spec = { type: "Boolean" };
const capacity = str({ enum: ["INDEXES", "TOTAL", "NONE"] });
const collectionMetrics = str({ enum: ["SIZE", "NONE"] });
const returnValues = str({ enum: ["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"] });
const conditionalOperator = str({ enum: ["OR", "AND"] });
const OPERATORS = ["IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT", "NOT_NULL", "NE", "LE", "BEGINS_WITH", "GE", "CONTAINS"];
const attributesToGet = (): Spec => ({ type: "List", minLen: 1, maxLen: 255, member: { type: "String" } });
const struct = (shape: string, fields: Fields, o: Partial<StructSpec> = {}): StructSpec => ({ type: "Struct", shape, fields, ...o });

const expected = (): MapSpec => ({
  type: "Map",
  of: "ExpectedAttributeValue",
  member: struct(
    "ExpectedAttributeValue",
    {
      AttributeValueList: { type: "List", member: { type: "Attr", value: true } },
      ComparisonOperator: str({ enum: OPERATORS }),
      Exists: BOOL,
      Value: { type: "Attr" },
    },
    { value: true },
  ),
});
const conditionMap = (listFirst: boolean): MapSpec => {
  const list: Spec = { type: "List", member: { type: "Attr", value: true } };
  const op = str({ notNull: true, enum: OPERATORS });
  return {
    type: "Map",
    of: "Condition",
    member: struct(
      "Condition",
      listFirst ? { AttributeValueList: list, ComparisonOperator: op } : { ComparisonOperator: op, AttributeValueList: list },
      { value: true },
    ),
  };
};
const throughput = (notNull = false): StructSpec =>
  struct(
    "ProvisionedThroughput",
    {
      WriteCapacityUnits: { type: "Long", notNull: true, min: 1 },
      ReadCapacityUnits: { type: "Long", notNull: true, min: 1 },
    },
    { notNull },
  );
// No range constraint here: -1 (UpdateTable's "remove the ceiling") is a valid Long, and
// DynamoDB words its range errors itself ("... is outside of valid range"), in ops/tables.ts.
const onDemand = (): StructSpec =>
  struct("OnDemandThroughput", {
    MaxReadRequestUnits: { type: "Long" },
    MaxWriteRequestUnits: { type: "Long" },
  });
const warm = (): StructSpec =>
  struct("WarmThroughput", {
    ReadUnitsPerSecond: { type: "Long" },
    WriteUnitsPerSecond: { type: "Long" },
  });
// A global index's KeySchema has no length bound in the model (multi-attribute keys: up to
// four HASH and four RANGE elements, counted in ops/tables.ts); the table's and a local
// index's hold 2.
const keySchema = (withEnum: boolean, global = false): Spec => ({
  type: "List",
  notNull: true,
  minLen: 1,
  ...(global ? {} : { maxLen: 2 }),
  member: struct(
    "KeySchemaElement",
    {
      AttributeName: str({ notNull: true }),
      KeyType: withEnum ? str({ notNull: true, enum: ["HASH", "RANGE"] }) : str({ notNull: true }),
    },
    { value: true },
  ),
});
const projection = (): StructSpec =>
  struct(
    "Projection",
    {
      ProjectionType: str({ enum: ["ALL", "INCLUDE", "KEYS_ONLY"] }),
      NonKeyAttributes: { type: "List", minLen: 1, member: { type: "String" } },
    },
    { notNull: true },
  );
const streamSpec = (): StructSpec =>
  struct("StreamSpecification", {
    StreamEnabled: { type: "Boolean", notNull: true },
    StreamViewType: str({ enum: ["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"] }),
  });
const sseSpec = (): StructSpec =>
  struct("SSESpecification", {
    Enabled: BOOL,
    SSEType: str({ enum: ["AES256", "KMS"] }),
    KMSMasterKeyId: str(),
  });
const tags = (notNull: boolean): Spec => ({
  type: "List",
  notNull,
  member: struct(
    "Tag",
    {
      // Checked by DynamoDB in its own words (ops/tags.ts), not as constraints.
      Key: str(),
      Value: str(),
    },
    { value: true },
  ),
});
const resourceArn = (): StringSpec => str({ notNull: true, minLen: 1, maxLen: 1283 });

export const SHAPES: Record<string, Fields> = {
  CreateTable: {
    AttributeDefinitions: {
      type: "List",
      notNull: true,
      member: struct(
        "AttributeDefinition",
        { AttributeName: str({ notNull: true }), AttributeType: str({ notNull: true, enum: ["B", "N", "S"] }) },
        { value: true },
      ),
    },
    TableName: createTableName(),
    BillingMode: str({ enum: ["PROVISIONED", "PAY_PER_REQUEST"] }),
    ProvisionedThroughput: throughput(),
    KeySchema: keySchema(true),
    LocalSecondaryIndexes: {
      type: "List",
      member: struct(
        "LocalSecondaryIndex",
        { IndexName: indexName(true), KeySchema: keySchema(false), Projection: projection() },
        { value: true },
      ),
    },
    GlobalSecondaryIndexes: {
      type: "List",
      member: struct(
        "GlobalSecondaryIndex",
        { IndexName: indexName(true), KeySchema: keySchema(false, true), Projection: projection(), ProvisionedThroughput: throughput(), OnDemandThroughput: onDemand(), WarmThroughput: warm() },
        { value: true },
      ),
    },
    StreamSpecification: streamSpec(),
    SSESpecification: sseSpec(),
    Tags: tags(false),
    TableClass: str(), // checked in ops/tables.ts, in DynamoDB's words
    DeletionProtectionEnabled: BOOL,
    OnDemandThroughput: onDemand(),
    WarmThroughput: warm(),
  },
  DescribeTable: { TableName: strictTableName() },
  DeleteTable: { TableName: strictTableName() },
  DescribeTimeToLive: { TableName: strictTableName() },
  ListTables: {
    Limit: { type: "Integer", min: 1, max: 100 },
    ExclusiveStartTableName: str({ regex: NAME_RE, minLen: 3, maxLen: 255 }),
  },
  UpdateTable: {
    TableName: strictTableName(),
    AttributeDefinitions: {
      type: "List",
      member: struct(
        "AttributeDefinition",
        { AttributeName: str({ notNull: true }), AttributeType: str({ notNull: true, enum: ["B", "N", "S"] }) },
        { value: true },
      ),
    },
    ProvisionedThroughput: throughput(),
    BillingMode: str({ enum: ["PROVISIONED", "PAY_PER_REQUEST"] }),
    GlobalSecondaryIndexUpdates: {
      type: "List",
      member: struct(
        "GlobalSecondaryIndexUpdate",
        {
          // ProvisionedThroughput is optional since an on-demand index's Update carries only
          // OnDemandThroughput; tables.ts says what each billing mode needs.
          Update: struct("UpdateGlobalSecondaryIndexAction", {
            IndexName: indexName(true),
            ProvisionedThroughput: throughput(),
            OnDemandThroughput: onDemand(),
            WarmThroughput: warm(),
          }),
          Create: struct("CreateGlobalSecondaryIndexAction", {
            Projection: projection(),
            IndexName: indexName(true),
            ProvisionedThroughput: throughput(),
            KeySchema: keySchema(false, true),
            OnDemandThroughput: onDemand(),
            WarmThroughput: warm(),
          }),
          Delete: struct("DeleteGlobalSecondaryIndexAction", { IndexName: indexName(true) }),
        },
        { value: true },
      ),
    },
    StreamSpecification: streamSpec(),
    SSESpecification: sseSpec(),
    TableClass: str(), // checked in ops/tables.ts, in DynamoDB's words
    DeletionProtectionEnabled: BOOL,
    OnDemandThroughput: onDemand(),
    WarmThroughput: warm(),
  },
  UpdateTimeToLive: {
    TableName: tableName(),
    TimeToLiveSpecification: struct(
      "TimeToLiveSpecification",
      { AttributeName: str({ notNull: true, minLen: 1, maxLen: 255 }), Enabled: { type: "Boolean", notNull: true } },
      { notNull: true },
    ),
  },
  PutItem: {
    ReturnConsumedCapacity: capacity,
    TableName: tableName(),
    Item: attrMap(true),
    ConditionalOperator: conditionalOperator,
    Expected: expected(),
    ReturnValues: returnValues,
    ReturnItemCollectionMetrics: collectionMetrics,
    ConditionExpression: str(),
    ExpressionAttributeValues: attrMap(),
    ExpressionAttributeNames: namesMap(),
    ReturnValuesOnConditionCheckFailure: str({ enum: ["ALL_OLD", "NONE"] }),
  },
  GetItem: {
    ReturnConsumedCapacity: capacity,
    AttributesToGet: attributesToGet(),
    TableName: tableName(),
    Key: attrMap(true),
    ConsistentRead: BOOL,
    ProjectionExpression: str(),
    ExpressionAttributeNames: namesMap(),
  },
  DeleteItem: {
    ReturnConsumedCapacity: capacity,
    TableName: tableName(),
    ReturnValues: returnValues,
    ReturnItemCollectionMetrics: collectionMetrics,
    Key: attrMap(true),
    ConditionalOperator: conditionalOperator,
    Expected: expected(),
    ConditionExpression: str(),
    ExpressionAttributeValues: attrMap(),
    ExpressionAttributeNames: namesMap(),
    ReturnValuesOnConditionCheckFailure: str({ enum: ["ALL_OLD", "NONE"] }),
  },
  UpdateItem: {
    ReturnConsumedCapacity: capacity,
    TableName: tableName(),
    ReturnItemCollectionMetrics: collectionMetrics,
    ReturnValues: returnValues,
    Key: attrMap(true),
    ConditionalOperator: conditionalOperator,
    Expected: expected(),
    AttributeUpdates: {
      type: "Map",
      of: "AttributeValueUpdate",
      member: struct("AttributeValueUpdate", { Action: str({ enum: ["ADD", "PUT", "DELETE"] }), Value: { type: "Attr" } }, { value: true }),
    },
    ConditionExpression: str(),
    UpdateExpression: str(),
    ExpressionAttributeValues: attrMap(),
    ExpressionAttributeNames: namesMap(),
    ReturnValuesOnConditionCheckFailure: str({ enum: ["ALL_OLD", "NONE"] }),
  },
  Query: {
    Select: str({ enum: ["SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"] }),
    IndexName: indexName(),
    ReturnConsumedCapacity: capacity,
    QueryFilter: conditionMap(true),
    TableName: tableName(),
    ConditionalOperator: conditionalOperator,
    AttributesToGet: attributesToGet(),
    // Captured: Query (unlike Scan) words this one without the value, under the member's own name.
    Limit: { type: "Integer", min: 1, bareName: "Limit" },
    KeyConditions: conditionMap(false),
    ExclusiveStartKey: attrMap(),
    ConsistentRead: BOOL,
    ScanIndexForward: BOOL,
    KeyConditionExpression: str(),
    FilterExpression: str(),
    ProjectionExpression: str(),
    ExpressionAttributeValues: attrMap(),
    ExpressionAttributeNames: namesMap(),
  },
  Scan: {
    Select: str({ enum: ["SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"] }),
    IndexName: indexName(),
    TotalSegments: { type: "Integer", min: 1, max: 1000000 },
    ReturnConsumedCapacity: capacity,
    TableName: tableName(),
    ConditionalOperator: conditionalOperator,
    ScanFilter: conditionMap(true),
    Segment: { type: "Integer", min: 0, max: 999999 },
    Limit: { type: "Integer", min: 1 },
    AttributesToGet: attributesToGet(),
    ExclusiveStartKey: attrMap(),
    ConsistentRead: BOOL,
    FilterExpression: str(),
    ProjectionExpression: str(),
    ExpressionAttributeValues: attrMap(),
    ExpressionAttributeNames: namesMap(),
  },
  BatchGetItem: {
    ReturnConsumedCapacity: capacity,
    RequestItems: {
      type: "Map",
      of: "KeysAndAttributes",
      notNull: true,
      keys: { maxLen: 255, minLen: 3, regex: NAME_RE },
      member: struct(
        "KeysAndAttributes",
        {
          Keys: { type: "List", notNull: true, minLen: 1, maxLen: 100, member: attrMap() },
          AttributesToGet: attributesToGet(),
          ConsistentRead: BOOL,
          ProjectionExpression: str(),
          ExpressionAttributeNames: namesMap(),
        },
        { value: true },
      ),
    },
  },
  BatchWriteItem: {
    ReturnConsumedCapacity: capacity,
    ReturnItemCollectionMetrics: collectionMetrics,
    RequestItems: {
      type: "Map",
      of: "java.util.List<com.amazonaws.dynamodb.v20120810.WriteRequest>",
      notNull: true,
      keys: { maxLen: 255, minLen: 3, regex: NAME_RE },
      values: { maxLen: 25, minLen: 1 },
      member: {
        type: "List",
        member: struct(
          "WriteRequest",
          {
            DeleteRequest: struct("DeleteRequest", { Key: attrMap(true) }),
            PutRequest: struct("PutRequest", { Item: attrMap(true) }),
          },
          { value: true },
        ),
      },
    },
  },
  TransactWriteItems: {
    TransactItems: {
      type: "List",
      notNull: true,
      minLen: 1,
      maxLen: 100,
      member: struct(
        "TransactWriteItem",
        {
          ConditionCheck: struct("ConditionCheck", {
            Key: attrMap(true),
            TableName: tableName(),
            ConditionExpression: str({ notNull: true }),
            ExpressionAttributeNames: namesMap(),
            ExpressionAttributeValues: attrMap(),
            ReturnValuesOnConditionCheckFailure: str({ enum: ["ALL_OLD", "NONE"] }),
          }),
          Put: struct("Put", {
            Item: attrMap(true),
            TableName: tableName(),
            ConditionExpression: str(),
            ExpressionAttributeNames: namesMap(),
            ExpressionAttributeValues: attrMap(),
            ReturnValuesOnConditionCheckFailure: str({ enum: ["ALL_OLD", "NONE"] }),
          }),
          Delete: struct("Delete", {
            Key: attrMap(true),
            TableName: tableName(),
            ConditionExpression: str(),
            ExpressionAttributeNames: namesMap(),
            ExpressionAttributeValues: attrMap(),
            ReturnValuesOnConditionCheckFailure: str({ enum: ["ALL_OLD", "NONE"] }),
          }),
          Update: struct("Update", {
            Key: attrMap(true),
            UpdateExpression: str({ notNull: true }),
            TableName: tableName(),
            ConditionExpression: str(),
            ExpressionAttributeNames: namesMap(),
            ExpressionAttributeValues: attrMap(),
            ReturnValuesOnConditionCheckFailure: str({ enum: ["ALL_OLD", "NONE"] }),
          }),
        },
        { value: true },
      ),
    },
    ReturnConsumedCapacity: capacity,
    ReturnItemCollectionMetrics: collectionMetrics,
    ClientRequestToken: str({ minLen: 1, maxLen: 36 }),
  },
  TransactGetItems: {
    TransactItems: {
      type: "List",
      notNull: true,
      minLen: 1,
      maxLen: 100,
      member: struct(
        "TransactGetItem",
        {
          Get: struct(
            "Get",
            {
              Key: attrMap(true),
              TableName: tableName(),
              ProjectionExpression: str(),
              ExpressionAttributeNames: namesMap(),
            },
            { notNull: true },
          ),
        },
        { value: true },
      ),
    },
    ReturnConsumedCapacity: capacity,
  },
  TagResource: { ResourceArn: resourceArn(), Tags: tags(true) },
  UntagResource: {
    ResourceArn: resourceArn(),
    TagKeys: { type: "List", notNull: true, member: str() },
  },
  ListTagsOfResource: { ResourceArn: resourceArn(), NextToken: str() },
  DescribeLimits: {},
  DescribeEndpoints: {},
};
