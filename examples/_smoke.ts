import { startDynamoDBLocal } from '../src/testing/index.js';
import { Dynagraph, Model, string, number, date, stringSet, list, map, gsi, absent, bigint, template } from '../src/index.js';

class User extends Model({
  table: 'users',
  key: { hash: 'name' },
  attributes: { name: string(), email: string().optional(), joined: date().default(() => new Date()), balance: number().default(0),
    tags: stringSet(), history: list(date()), address: map({ city: string(), zip: string().optional() }).optional(), big: bigint().optional() },
}) {}

const local = await startDynamoDBLocal();
try {
  const db = new Dynagraph({ endpoint: local.endpoint, tablePrefix: 'smoke-', logger: console });
  await db.createTables([User]);
  const u = new User({ name: 'ann', tags: new Set(['a']), history: [new Date(0)], big: 12345678901234567890123n });
  await u.save();
  const got = await User.get({ name: 'ann' });
  console.log(got, got?.toJSON());
  try { await new User({ name: 'ann' }).save({ overwrite: false }); } catch (e: any) { console.log(e.code, e.message, e.item); }
  try { await got!.save({ expect: { balance: 5 } }); } catch (e: any) { console.log(e.code, e.message, e.current); }
  await got!.save({ expect: { balance: 0, email: absent } });
  try { await new User({ name: '', balance: NaN } as any).save(); } catch (e: any) { console.log(e.code, e.message); }
} finally { await local.stop(); }
