import './lib/env.js';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { Model, string, number, stringSet, list, map, boolean } from '../src/index.js';
import { ModelBase } from '../src/model/instance.js';
import { profileItem } from './lib/profile-item.js';
class P extends Model({ table: 't', key: { hash: 'account', range: 'id' }, attributes: {
    account: string(), id: string(), name: string(), email: string(), status: string(), country: string(), city: string(),
    title: string(), company: string(), bio: string(),
    age: number(), score: number(), logins: number(), balance: number(), rating: number(),
    tags: stringSet(), history: list(string()),
    address: map({ street: string(), city: string(), zip: string(), geo: map({ lat: number(), lng: number() }) }),
    active: boolean(), nickname: string().optional() } }) {}
const items = Array.from({ length: 100 }, (_, i) => unmarshall(marshall(profileItem(i), { convertClassInstanceToMap: true })));
const schema = P.schema;
const attrs = schema.attributes;
const names = schema.names;
// @ts-ignore
const fast = (o: object) => eval('%HasFastProperties(o)');
function bench(label: string, fn: () => void) {
  for (let i = 0; i < 2000; i++) fn();
  const t0 = performance.now(); const n = 5000;
  for (let i = 0; i < n; i++) fn();
  console.log(label.padEnd(40), ((performance.now() - t0) * 1000 / n).toFixed(1), 'µs per 100 items');
}
class Q extends ModelBase {}
(Q as any).schema = schema;
bench('current instanceFromItem', () => { for (const it of items) P.fromItem(it); });
bench('decode only', () => { for (const it of items) schema.decode(it); });
bench('decode + Object.assign to {}', () => { for (const it of items) Object.assign({}, schema.decode(it)); });
bench('direct keyed onto plain {}', () => { for (const it of items) { const o: any = {}; for (const n of names) { const v = attrs[n].decode(it[n]); if (v !== undefined) o[n] = v; } } });
class R { constructor(it: any) { const o: any = this; for (const n of names) { const v = attrs[n].decode(it[n]); if (v !== undefined) o[n] = v; } } }
bench('direct keyed onto class instance', () => { for (const it of items) new R(it); });
const r = new R(items[0]); console.log('R fast', fast(r), 'P fast', fast(P.fromItem(items[0])), 'item fast', fast(items[0]));
