import './lib/env.js';
import { Model, string, number, stringSet, list, map, boolean } from '../src/index.js';
import { itemSize } from '../src/schema/size.js';
import { profileItem } from './lib/profile-item.js';
class P extends Model({ table: 't', key: { hash: 'account', range: 'id' }, attributes: {
    account: string(), id: string(), name: string(), email: string(), status: string(), country: string(), city: string(),
    title: string(), company: string(), bio: string(),
    age: number(), score: number(), logins: number(), balance: number(), rating: number(),
    tags: stringSet(), history: list(string()),
    address: map({ street: string(), city: string(), zip: string(), geo: map({ lat: number(), lng: number() }) }),
    active: boolean(), nickname: string().optional() } }) {}
const v = profileItem(0);
const inst = new P(v as never);
const item = P.schema.encode(inst as never);
const strings = Object.values(item).filter((x) => typeof x === 'string') as string[];
function bench(label: string, fn: () => unknown) {
  for (let i = 0; i < 20000; i++) fn();
  let best = Infinity;
  for (let r = 0; r < 5; r++) { const n = 20000; const t0 = performance.now(); for (let i = 0; i < n; i++) fn(); best = Math.min(best, (performance.now() - t0) * 1000 / n); }
  console.log(label.padEnd(36), best.toFixed(2), 'µs');
}
bench('new P(values)', () => new P(v as never));
bench('schema.encode(instance)', () => P.schema.encode(inst as never));
bench('itemSize(item)', () => itemSize(item));
bench('regex ascii test x strings', () => { let n = 0; for (const s of strings) n += /^[\x00-\x7f]*$/.test(s) ? s.length : 0; return n; });
bench('Buffer.byteLength x strings', () => { let n = 0; for (const s of strings) n += Buffer.byteLength(s, 'utf8'); return n; });
bench('charCode loop x strings', () => { let n = 0; for (const s of strings) { let b = s.length; for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) { b = Buffer.byteLength(s); break; } n += b; } return n; });
const { itemSize: oldSize } = await import('./_size_orig.js');
bench('OLD itemSize(item)', () => oldSize(item));
bench('NEW itemSize(item)', () => itemSize(item));
bench('OLD itemSize(item)', () => oldSize(item));
bench('NEW itemSize(item)', () => itemSize(item));
