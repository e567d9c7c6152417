/**
 * A small Lambda-like handler over dynagraph's sources, run three ways by
 * test/consumers/bundle.test.ts: unbundled through tsx, and as a minified esbuild bundle
 * (no keepNames) in ESM and in CJS. It prints one JSON report; the three must be equal.
 * Everything in it is what a minifier could break: command names (stats, log), consumed
 * capacity, cursors over bigint keys (NumberValue), error names and classes, and the name
 * a retrying transaction stores in its status record, and the generated GraphQL schema's
 * Relay paging over those bigint keys and its error codes.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ConditionFailedError, DynagraphError, Dynagraph, Model, Transaction, TransactionRecord, ValidationError, VersionConflictError,
  bigint, number, string, transactor, type LogEntry, type Transactor,
} from '../../../src/index.js';
import { localClientConfig } from '../../../src/testing/index.js';
import { graphqlSchema } from '../../../src/graphql/index.js';

class Reading extends Model({
  table: 'readings',
  key: { hash: 'sensor', range: 'seq' },
  attributes: { sensor: string(), seq: bigint(), value: number() },
}) {}

class Doc extends Model({
  table: 'docs',
  key: { hash: 'id' },
  attributes: { id: string(), n: number(), version: number() },
  version: 'version',
}) {}

/** A retrying transaction with a stable stored name (minifiers rename the class). */
class Bump extends Transaction {
  static override readonly transactionName = 'Bump';
  constructor(requester: string, private readonly db: Dynagraph) {
    super(requester);
  }
  protected transactors(): Transactor[] {
    return [transactor(() => Doc.get({ id: 'd' }, { db: this.db, consistent: true }), (d) => void (d.n += 1))];
  }
}

const ADMIN = new Set(['CreateTable', 'DeleteTable', 'DescribeTable', 'DescribeTimeToLive', 'UpdateTimeToLive']);

// 18 digits: decoded as NumberValue (more than 15), the key type a cursor must accept.
const BASE = 10n ** 17n;

function describeError(err: unknown) {
  const e = err as DynagraphError;
  return {
    name: e.name,
    code: e.code,
    isDynagraphError: e instanceof DynagraphError,
    isValidationError: e instanceof ValidationError,
    isConditionFailedError: e instanceof ConditionFailedError,
    isVersionConflictError: e instanceof VersionConflictError,
    isError: e instanceof Error,
    stackStartsWithName: typeof e.stack === 'string' && e.stack.startsWith(`${e.name}:`),
  };
}

async function caught(p: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

export async function handler(endpoint: string, prefix: string) {
  const log: LogEntry[] = [];
  const db = new Dynagraph({
    client: new DynamoDBClient(localClientConfig(endpoint)),
    tablePrefix: prefix,
    default: false,
    logger: (e) => log.push(e),
  });
  const models = [Reading, Doc, TransactionRecord];
  await db.deleteTables(models).catch(() => {});
  await db.createTables(models);
  try {
    await Reading.putMany(Array.from({ length: 7 }, (_, i) => ({ sensor: 's1', seq: BASE + BigInt(i), value: i * 10 })), { db });
    await new Doc({ id: 'd', n: 0 }).save({ db });

    const session = db.session();
    const pages: string[][] = [];
    const cursors: boolean[] = [];
    let cursor: string | undefined;
    do {
      const page = await session.query(Reading, { sensor: 's1' }).page({ limit: 3, cursor });
      pages.push(page.items.map((r) => `${r.seq}:${r.value}`));
      cursor = page.cursor;
      cursors.push(typeof cursor === 'string');
    } while (cursor && pages.length < 10);
    const doc = await session.get(Doc, { id: 'd' });
    const { consumedCapacity, ...stats } = session.stats;

    const a = (await Doc.get({ id: 'd' }, { db }))!;
    const b = (await Doc.get({ id: 'd' }, { db }))!;
    a.n = 1;
    await a.save();
    b.n = 2;
    const conflict = await caught(b.save());
    const invalid = await caught(Reading.put({ sensor: 's1', seq: 'not a bigint' as never, value: 1 }, { db }));

    const bump = await new Bump('requester-1', db).commit({ db });
    const records = await TransactionRecord.query({ requesterId: 'requester-1' }, { db, consistent: true }).all();

    const api = graphqlSchema({ models: { Reading } });
    const connection = '{ edges { cursor node { seq value } } pageInfo { hasNextPage hasPreviousPage endCursor } }';
    const first = await api.run(db, `{ readings(sensor: "s1", first: 4) ${connection} }`);
    const after = (first.data as any)?.readings?.pageInfo?.endCursor;
    const next = await api.run(db, `query($c: String) { readings(sensor: "s1", first: 4, after: $c) ${connection} }`, { c: after });
    const badCursor = await api.run(db, '{ readings(sensor: "s1", after: "bogus") { edges { cursor } } }');
    const edges = (r: typeof first) => ((r.data as any)?.readings?.edges ?? []).map((e: any) => `${e.node.seq}:${e.node.value}`);
    const graphql = {
      pages: [edges(first), edges(next)],
      more: [(first.data as any)?.readings?.pageInfo?.hasNextPage, (next.data as any)?.readings?.pageInfo?.hasNextPage],
      errors: [badCursor.errors?.[0]?.extensions?.code, first.errors, next.errors],
      requests: (first.extensions as any)?.dynagraph?.requests,
    };

    return {
      pages,
      cursors,
      doc: doc && { id: doc.id, n: doc.n, version: doc.version },
      stats,
      sessionCapacityPositive: consumedCapacity > 0,
      // Every request and event after the tables exist: command, table, capacity, failure code and SDK error name.
      logged: log.filter((e) => !ADMIN.has(e.command)).map((e) => {
        const failure = e as { code?: string; error?: string };
        return [e.channel, e.command, e.table?.slice(prefix.length) ?? '-', `capacity>0:${(e.consumedCapacity ?? 0) > 0}`, failure.code ?? 'ok', failure.error ?? ''].join(' ').trim();
      }),
      conflict: describeError(conflict),
      invalid: describeError(invalid),
      transaction: { attempts: bump.attempts, records: records.map((r) => ({ name: r.name, status: r.status, attempts: r.attempts })) },
      graphql,
    };
  } finally {
    await db.deleteTables(models, { wait: false });
  }
}
