/**
 * Compile-time tests under `exactOptionalPropertyTypes` (test/types/tsconfig.exact.json,
 * compiled by `npm run typecheck`): option types accept `undefined` where users pass
 * maybe-values.
 */
import { Dynagraph, Model, number, string, type Session } from 'dynagraph';

class Item extends Model({ table: 'items', key: { hash: 'id' }, attributes: { id: string(), n: number(), note: string().optional() } }) {
  static maybe(): number | undefined { return undefined; }
}

export async function exact(s: Session, cursor: string | undefined, limit: number | undefined): Promise<void> {
  const db = new Dynagraph({ endpoint: process.env.DYNAMODB_ENDPOINT, region: process.env.AWS_REGION, tablePrefix: process.env.PREFIX });
  const first = await Item.query({ id: 'a' }).page({ limit, cursor });
  await Item.query({ id: 'a' }).page({ cursor: first.cursor });
  await s.query(Item, { id: 'a' }, { index: undefined, consistent: undefined }).all();
  await Item.get({ id: 'a' }, { consistent: undefined, db: undefined });
  const item = new Item({ id: 'a', n: 1, note: undefined });
  await item.save({ overwrite: undefined, expect: undefined, condition: undefined });
  await item.delete({ expect: undefined });
  await Item.update({ id: 'a' }, { add: { n: 1 } }, { returnValues: undefined, upsert: undefined });
  await Item.putMany([item], { db: undefined });
  void db.session({ maxRequests: Item.maybe() });
}
