/**
 * The contenders of the overhead benchmark: the same three operations (get one item,
 * validated put of it, a query page of 100 items turned into the library's objects) on
 * the raw DocumentClient and on each mapper, each over its own stubbed client.
 */
import { DynamoDB, DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import dynamoose from 'dynamoose';
import {
  boolean as tbBoolean, Entity as TbEntity, GetItemCommand, item as tbItem, list as tbList, map as tbMap, number as tbNumber,
  PutItemCommand, QueryCommand as TbQueryCommand, set as tbSet, string as tbString, Table as TbTable,
} from 'dynamodb-toolbox';
import { Entity as ElectroEntity } from 'electrodb';
import { boolean, Dynagraph, list, map, Model, number, string, stringSet } from '../../src/index.js';
import { profileItem, type ProfileValues } from './profile-item.js';

export const TABLE = 'profiles';
const ACCOUNT = 'acct-0001';
const KEY = { account: ACCOUNT, id: profileItem(0).id };
/** How many distinct items a query page returns. */
export const PAGE = 100;
const items = (): ProfileValues[] => Array.from({ length: PAGE }, (_, i) => profileItem(i));

/** What the harness runs. Each returns the library's result, checked once outside the timed loop. */
export interface Ops {
  get(): Promise<unknown>;
  /** Puts item `i` (inputs are built once, in each library's own input form). */
  put(i: number): Promise<unknown>;
  query(): Promise<unknown[]>;
}

export interface ContenderSpec {
  name: string;
  /** How its client was configured (shown in the table). */
  make(config: DynamoDBClientConfig): Ops;
}

/** The raw DocumentClient: marshalling only, no validation, plain objects back. */
export const raw: ContenderSpec['make'] = (config) => {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(config));
  const inputs = items();
  return {
    get: async () => (await doc.send(new GetCommand({ TableName: TABLE, Key: KEY }))).Item,
    put: (i) => doc.send(new PutCommand({ TableName: TABLE, Item: inputs[i] })),
    query: async () => (await doc.send(new QueryCommand({
      TableName: TABLE, KeyConditionExpression: '#a = :a', ExpressionAttributeNames: { '#a': 'account' }, ExpressionAttributeValues: { ':a': ACCOUNT }, Limit: 100,
    }))).Items ?? [],
  };
};

class Profile extends Model({
  table: TABLE,
  key: { hash: 'account', range: 'id' },
  attributes: {
    account: string(), id: string(), name: string(), email: string(), status: string(), country: string(), city: string(),
    title: string(), company: string(), bio: string(),
    age: number(), score: number(), logins: number(), balance: number(), rating: number(),
    tags: stringSet(), history: list(string()),
    address: map({ street: string(), city: string(), zip: string(), geo: map({ lat: number(), lng: number() }) }),
    active: boolean(), nickname: string().optional(),
  },
}) {}

/** dynagraph: a model; get → instance, put → validated instance saved, query page → instances. */
export const dynagraph: ContenderSpec['make'] = (config) => {
  const db = new Dynagraph({ client: new DynamoDBClient(config), models: [Profile], default: false });
  const inputs = items();
  return {
    get: () => Profile.get(KEY, { db }),
    put: (i) => Profile.put(inputs[i], { db }),
    query: async () => (await Profile.query({ account: ACCOUNT }, { db }).page({ limit: 100 })).items,
  };
};

/** ElectroDB: an entity (its own pk/sk format); results are `{ data }`. */
export const electrodb: ContenderSpec['make'] = (config) => {
  // ElectroDB takes and returns sets as arrays.
  const inputs = items().map((v) => ({ ...v, tags: [...v.tags] }));
  const entity = new ElectroEntity({
    model: { entity: 'profile', version: '1', service: 'bench' },
    attributes: {
      account: { type: 'string', required: true }, id: { type: 'string', required: true },
      name: { type: 'string', required: true }, email: { type: 'string', required: true }, status: { type: 'string', required: true },
      country: { type: 'string', required: true }, city: { type: 'string', required: true }, title: { type: 'string', required: true },
      company: { type: 'string', required: true }, bio: { type: 'string', required: true },
      age: { type: 'number', required: true }, score: { type: 'number', required: true }, logins: { type: 'number', required: true },
      balance: { type: 'number', required: true }, rating: { type: 'number', required: true },
      tags: { type: 'set', items: 'string', required: true },
      history: { type: 'list', items: { type: 'string' }, required: true },
      address: {
        type: 'map', required: true,
        properties: {
          street: { type: 'string', required: true }, city: { type: 'string', required: true }, zip: { type: 'string', required: true },
          geo: { type: 'map', required: true, properties: { lat: { type: 'number', required: true }, lng: { type: 'number', required: true } } },
        },
      },
      active: { type: 'boolean', required: true }, nickname: { type: 'string' },
    },
    indexes: { primary: { pk: { field: 'pk', composite: ['account'] }, sk: { field: 'sk', composite: ['id'] } } },
  }, { client: DynamoDBDocumentClient.from(new DynamoDBClient(config)), table: TABLE });
  return {
    get: async () => (await entity.get(KEY).go()).data,
    put: (i) => entity.put(inputs[i]).go(),
    query: async () => (await entity.query.primary({ account: ACCOUNT }).go({ limit: 100 })).data,
  };
};

/** dynamodb-toolbox v2: a table and an entity (timestamps off, entity attribute on as by default). */
export const toolbox: ContenderSpec['make'] = (config) => {
  const inputs = items();
  const table = new TbTable({
    name: TABLE,
    partitionKey: { name: 'account', type: 'string' },
    sortKey: { name: 'id', type: 'string' },
    documentClient: DynamoDBDocumentClient.from(new DynamoDBClient(config)),
  });
  const entity = new TbEntity({
    name: 'profile',
    table,
    timestamps: false,
    schema: tbItem({
      account: tbString().key(), id: tbString().key(), name: tbString(), email: tbString(), status: tbString(), country: tbString(),
      city: tbString(), title: tbString(), company: tbString(), bio: tbString(),
      age: tbNumber(), score: tbNumber(), logins: tbNumber(), balance: tbNumber(), rating: tbNumber(),
      tags: tbSet(tbString()), history: tbList(tbString()),
      address: tbMap({ street: tbString(), city: tbString(), zip: tbString(), geo: tbMap({ lat: tbNumber(), lng: tbNumber() }) }),
      active: tbBoolean(), nickname: tbString().optional(),
    }),
  });
  return {
    get: async () => (await entity.build(GetItemCommand).key(KEY).send()).Item,
    put: (i) => entity.build(PutItemCommand).item(inputs[i]).send(),
    query: async () => (await table.build(TbQueryCommand).entities(entity).query({ partition: ACCOUNT }).options({ limit: 100 }).send()).Items ?? [],
  };
};

/** Dynamoose: a schema and model on the same table (no table creation or checks). */
export const dynamooseContender: ContenderSpec['make'] = (config) => {
  dynamoose.aws.ddb.set(new DynamoDB(config));
  const inputs = items();
  const schema = new dynamoose.Schema({
    account: { type: String, hashKey: true }, id: { type: String, rangeKey: true },
    name: String, email: String, status: String, country: String, city: String, title: String, company: String, bio: String,
    age: Number, score: Number, logins: Number, balance: Number, rating: Number,
    tags: { type: Set, schema: [String] },
    history: { type: Array, schema: [String] },
    address: {
      type: Object,
      schema: { street: String, city: String, zip: String, geo: { type: Object, schema: { lat: Number, lng: Number } } },
    },
    active: Boolean, nickname: String,
  });
  const ProfileModel = dynamoose.model(TABLE, schema, { create: false, waitForActive: false, update: false });
  return {
    get: () => ProfileModel.get(KEY),
    put: (i) => new ProfileModel(inputs[i]).save(),
    query: async () => [...(await ProfileModel.query('account').eq(ACCOUNT).limit(100).exec())],
  };
};
