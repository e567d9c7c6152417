/**
 * Sources for the type-check benchmark: a generated N-model dynagraph schema with
 * relationships (cycles through thunks, a keys-only GSI per model) plus code that uses
 * every model, and the ElectroDB and dynamodb-toolbox equivalents (entities with the same
 * attributes and indexes, and the same reads and writes). Neither peer has relationships,
 * so each edge dynagraph's include loads is a read of its own there: the parent (a get),
 * the parent's children (a query of the byParent index), the first page of children (a
 * query with a limit), their buddies (a batch get) and the buddy (a get).
 */
const pad = (i: number) => String(i).padStart(2, '0');

/** `n` dynagraph models importing from `lib`, and a usage module. */
export function dynagraphSchema(n: number, lib: string): { models: string; usage: string } {
  const m = (i: number) => `M${pad(((i % n) + n) % n)}`;
  const models = [`import { boolean, date, gsi, list, manyToOne, map, Model, number, oneToMany, oneToOne, string, stringSet } from '${lib}';`, ''];
  for (let i = 0; i < n; i++) {
    models.push(`export class ${m(i)} extends Model({
  table: 'm${pad(i)}',
  key: { hash: 'id', range: 'sk' },
  attributes: {
    id: string(), sk: string(), parentId: string(), name: string(), count: number(), created: date(),
    tags: stringSet(), items: list(string()), meta: map({ a: string(), b: number().optional() }),
    flag: boolean().default(false), note: string().optional(), score${i}: number().default(0),
  },
  indexes: { byParent: gsi({ hash: 'parentId', range: 'sk', projection: 'keys' }) },
}) {
  parent = manyToOne(() => ${m(i - 1)}, { query: (x: ${m(i)}) => ({ id: x.parentId, sk: 'root' }), backQuery: (p: ${m(i - 1)}) => ({ parentId: p.id }) });
  children = oneToMany(() => ${m(i + 1)}, { index: 'byParent', query: (x: ${m(i)}) => ({ parentId: x.id }), inverse: 'parent' });
  buddy = oneToOne(() => ${m(i + 7)}, { query: (x: ${m(i)}) => ({ id: x.id, sk: 'buddy' }) });
}
`);
  }
  const usage = [`import type { Dynagraph } from '${lib}';`, `import { ${Array.from({ length: n }, (_, i) => m(i)).join(', ')} } from './models.js';`, ''];
  for (let i = 0; i < n; i++) {
    usage.push(`export async function use${pad(i)}(db: Dynagraph): Promise<number> {
  const s = db.session();
  const a = await s.get(${m(i)}, { id: 'x', sk: 'y' });
  if (!a) return 0;
  const [l] = await s.load([a], { parent: { children: true }, children: { $limit: 5, buddy: true }, buddy: true });
  const kids: number = l.parent.get()?.children.get().length ?? 0;
  const page = await ${m(i)}.query({ id: 'x', sk: { beginsWith: 'a' } }).page({ limit: 10 });
  const byParent = await ${m(i)}.query({ parentId: 'p' }, { index: 'byParent' }).all();
  const fresh = new ${m(i)}({ id: 'a', sk: 'b', parentId: 'p', name: 'n', count: 1, created: new Date(), meta: { a: 'x' } });
  await fresh.save({ expect: { count: 1 } });
  await ${m(i)}.update({ id: 'a', sk: 'b' }, { add: { count: 1 }, set: { name: 'z' } });
  return kids + page.items.length + byParent.length + fresh.score${i} + (a.meta.b ?? 0);
}
`);
  }
  return { models: models.join('\n'), usage: usage.join('\n') };
}

/** The ElectroDB equivalent: `n` entities with the same attributes and indexes, and the same reads and writes. */
export function electroSchema(n: number): { models: string; usage: string } {
  const e = (i: number) => `E${pad(i)}`;
  const models = [`import { Entity } from 'electrodb';`, `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';`, `const client = new DynamoDBClient({});`, ''];
  for (let i = 0; i < n; i++) {
    models.push(`export const ${e(i)} = new Entity({
  model: { entity: 'm${pad(i)}', version: '1', service: 'bench' },
  attributes: {
    id: { type: 'string', required: true }, sk: { type: 'string', required: true }, parentId: { type: 'string', required: true },
    name: { type: 'string', required: true }, count: { type: 'number', required: true }, created: { type: 'string', required: true },
    tags: { type: 'set', items: 'string' }, items: { type: 'list', items: { type: 'string' } },
    meta: { type: 'map', required: true, properties: { a: { type: 'string', required: true }, b: { type: 'number' } } },
    flag: { type: 'boolean', default: false }, note: { type: 'string' }, score${i}: { type: 'number', default: 0 },
  },
  indexes: {
    primary: { pk: { field: 'pk', composite: ['id'] }, sk: { field: 'sk', composite: ['sk'] } },
    byParent: { index: 'gsi1', pk: { field: 'gsi1pk', composite: ['parentId'] }, sk: { field: 'gsi1sk', composite: ['sk'] } },
  },
}, { client, table: 'bench' });
`);
  }
  const usage = [`import { ${Array.from({ length: n }, (_, i) => e(i)).join(', ')} } from './models.js';`, ''];
  for (let i = 0; i < n; i++) {
    usage.push(`export async function use${pad(i)}(): Promise<number> {
  const a = await ${e(i)}.get({ id: 'x', sk: 'y' }).go();
  if (!a.data) return 0;
  const parent = await ${e((i + n - 1) % n)}.get({ id: a.data.parentId, sk: 'root' }).go();
  const siblings = await ${e(i)}.query.byParent({ parentId: a.data.parentId }).go();
  const kids = await ${e((i + 1) % n)}.query.byParent({ parentId: a.data.id }).go({ limit: 5 });
  const kidBuddies = await ${e((i + 8) % n)}.get(kids.data.map((k) => ({ id: k.id, sk: 'buddy' }))).go();
  const buddy = await ${e((i + 7) % n)}.get({ id: a.data.id, sk: 'buddy' }).go();
  const page = await ${e(i)}.query.primary({ id: 'x' }).begins({ sk: 'a' }).go({ limit: 10 });
  const byParent = await ${e(i)}.query.byParent({ parentId: 'p' }).go();
  await ${e(i)}.put({ id: 'a', sk: 'b', parentId: 'p', name: 'n', count: 1, created: new Date().toISOString(), meta: { a: 'x' } }).where(({ count }, { eq }) => eq(count, 1)).go();
  await ${e(i)}.update({ id: 'a', sk: 'b' }).add({ count: 1 }).set({ name: 'z' }).go();
  return (parent.data ? 1 : 0) + siblings.data.length + kids.data.length + kidBuddies.data.length + (buddy.data ? 1 : 0) + page.data.length + byParent.data.length + (a.data.score${i} ?? 0) + (a.data.meta.b ?? 0);
}
`);
  }
  return { models: models.join('\n'), usage: usage.join('\n') };
}

/**
 * The dynamodb-toolbox v2 equivalent: `n` entities with the same attributes on one table with
 * the same GSI, and the same reads and writes (dynamodb-toolbox has no relationships either).
 */
export function toolboxSchema(n: number): { models: string; usage: string } {
  const e = (i: number) => `T${pad(i)}`;
  const models = [`import { Entity, Table, boolean, item, list, map, number, set, string } from 'dynamodb-toolbox';`, `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';`,
    `import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';`,
    `export const table = new Table({ name: 'bench', partitionKey: { name: 'id', type: 'string' }, sortKey: { name: 'sk', type: 'string' },
  indexes: { byParent: { type: 'global', partitionKey: { name: 'parentId', type: 'string' }, sortKey: { name: 'sk', type: 'string' } } },
  documentClient: DynamoDBDocumentClient.from(new DynamoDBClient({})) });`, ''];
  for (let i = 0; i < n; i++) {
    models.push(`export const ${e(i)} = new Entity({
  name: 'm${pad(i)}', table,
  schema: item({
    id: string().key(), sk: string().key(), parentId: string(), name: string(), count: number(), created: string(),
    tags: set(string()).optional(), items: list(string()).optional(), meta: map({ a: string(), b: number().optional() }),
    flag: boolean().default(false), note: string().optional(), score${i}: number().default(0),
  }),
});
`);
  }
  const usage = [`import { GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand, $add } from 'dynamodb-toolbox';`,
    `import { table, ${Array.from({ length: n }, (_, i) => e(i)).join(', ')} } from './models.js';`, ''];
  for (let i = 0; i < n; i++) {
    const prev = e((i + n - 1) % n); const next = e((i + 1) % n);
    usage.push(`export async function use${pad(i)}(): Promise<number> {
  const { Item: a } = await ${e(i)}.build(GetItemCommand).key({ id: 'x', sk: 'y' }).send();
  if (!a) return 0;
  const { Item: parent } = await ${prev}.build(GetItemCommand).key({ id: a.parentId, sk: 'root' }).send();
  const siblings = await table.build(QueryCommand).entities(${e(i)}).query({ index: 'byParent', partition: a.parentId }).send();
  const kids = await table.build(QueryCommand).entities(${next}).query({ index: 'byParent', partition: a.id }).options({ limit: 5 }).send();
  const { Item: kidBuddy } = await ${e((i + 8) % n)}.build(GetItemCommand).key({ id: kids.Items?.[0]?.id ?? '', sk: 'buddy' }).send();
  const { Item: buddy } = await ${e((i + 7) % n)}.build(GetItemCommand).key({ id: a.id, sk: 'buddy' }).send();
  const page = await table.build(QueryCommand).entities(${e(i)}).query({ partition: 'x', range: { beginsWith: 'a' } }).options({ limit: 10 }).send();
  const byParent = await table.build(QueryCommand).entities(${e(i)}).query({ index: 'byParent', partition: 'p' }).send();
  await ${e(i)}.build(PutItemCommand).item({ id: 'a', sk: 'b', parentId: 'p', name: 'n', count: 1, created: new Date().toISOString(), meta: { a: 'x' } }).options({ condition: { attr: 'count', eq: 1 } }).send();
  await ${e(i)}.build(UpdateItemCommand).item({ id: 'a', sk: 'b', count: $add(1), name: 'z' }).send();
  return (parent ? 1 : 0) + (siblings.Items?.length ?? 0) + (kids.Items?.length ?? 0) + (kidBuddy ? 1 : 0) + (buddy ? 1 : 0) + (page.Items?.length ?? 0) + (byParent.Items?.length ?? 0) + a.score${i} + (a.meta.b ?? 0);
}
`);
  }
  return { models: models.join('\n'), usage: usage.join('\n') };
}
