import { itemSize } from '../src/schema/size.js';
import { itemSize as oldSize } from './_size_orig.ts';
import { NumberValue } from '@aws-sdk/lib-dynamodb';
let seed = 1; const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const chars = ['0', '1', '5', '9', '0', '0', '.', 'e', 'E', '+', '-', 'x', ' '];
let checked = 0;
for (let i = 0; i < 300000; i++) {
  let v: unknown;
  const kind = i % 6;
  if (kind === 0) v = (rnd() - 0.5) * 10 ** Math.floor(rnd() * 40 - 20);
  else if (kind === 1) v = Math.floor((rnd() - 0.5) * 10 ** Math.floor(rnd() * 16));
  else if (kind === 2) v = NumberValue.from(Array.from({ length: Math.floor(rnd() * 12) }, () => chars[Math.floor(rnd() * chars.length)]).join(''));
  else if (kind === 3) v = BigInt(Math.floor(rnd() * 1e15)) * 10n ** BigInt(Math.floor(rnd() * 20));
  else if (kind === 4) v = Array.from({ length: Math.floor(rnd() * 10) }, () => String.fromCharCode(Math.floor(rnd() * 0x2000))).join('');
  else v = { a: 1.5, [String.fromCharCode(Math.floor(rnd() * 300))]: [rnd(), 'é', { x: -rnd() * 1e-9 }], s: new Set(['a', 'bé']) };
  const item = { k: v } as Record<string, unknown>;
  const a = itemSize(item); const b = oldSize(item);
  if (a !== b) { console.log('MISMATCH', v, a, b); process.exit(1); }
  checked++;
}
for (const t of ['', '-', '.', 'e5', '1e', '-.5e-3', '00100.00100', '1.2.3', '1e+', '+1', '007', '0.000', '1E-130', '9.99e125', '-0']) {
  const a = itemSize({ k: NumberValue.from(t) }); const b = oldSize({ k: NumberValue.from(t) });
  if (a !== b) { console.log('MISMATCH', JSON.stringify(t), a, b); process.exit(1); }
}
console.log('identical on', checked, 'random values and edge cases');
