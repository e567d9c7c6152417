/**
 * The item of the overhead benchmark: about 1 KB in 20 attributes — strings, numbers, a
 * string set, a list and a nested map — and a normaliser to compare what each library
 * returns with what was written.
 */

/** The values of item `i` (distinct keys, same shape). */
export function profileItem(i: number) {
  return {
    account: 'acct-0001',
    id: `item-${String(i).padStart(5, '0')}`,
    name: 'Ada Lovelace',
    email: 'ada.lovelace@example.com',
    status: 'active',
    country: 'GB',
    city: 'London',
    title: 'Analyst of engines',
    company: 'Analytical Engines Ltd',
    bio: 'Wrote the first published algorithm intended for a machine, notes on the Analytical Engine of Charles Babbage, ' +
      'and saw that such an engine could act on things other than numbers: music, symbols, anything whose relations ' +
      'can be expressed by the abstract science of operations. Translator of Menabrea, correspondent of De Morgan. ' +
      `Profile ${i}.`,
    age: 36,
    score: 98.25,
    logins: 1234 + i,
    balance: 1050.75,
    rating: 4.5,
    tags: new Set(['mathematics', 'poetry', 'engines', 'notes', 'bernoulli']),
    history: ['2024-01-01', '2024-02-11', '2024-03-03', '2024-04-19', '2024-05-23', '2024-06-30', '2024-07-07', '2024-08-15'],
    address: { street: '12 St James Square', city: 'London', zip: 'SW1Y 4JH', geo: { lat: 51.5074, lng: -0.1346 } },
    active: true,
    nickname: 'Enchantress of Numbers',
  };
}

export type ProfileValues = ReturnType<typeof profileItem>;
export const PROFILE_KEYS = Object.keys(profileItem(0)) as (keyof ProfileValues)[];

/** Plain, order-independent form: sets as sorted arrays, numbers as numbers, object keys sorted. */
export function norm(v: unknown): unknown {
  if (v instanceof Set) return [...v].map(norm).sort();
  if (Array.isArray(v)) return v.map(norm);
  if (v && typeof v === 'object') {
    if (typeof (v as { toBigInt?: unknown }).toBigInt === 'function' || v.constructor?.name === 'NumberValue') return Number(String(v));
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) if ((v as Record<string, unknown>)[k] !== undefined) out[k] = norm((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** The declared attributes of `value` in plain form. */
export function pickProfile(value: object): unknown {
  const out: Record<string, unknown> = {};
  for (const k of PROFILE_KEYS) out[k] = (value as Record<string, unknown>)[k];
  // ElectroDB hands sets over as arrays: compare as sets.
  if (Array.isArray(out.tags)) out.tags = new Set(out.tags);
  return norm(out);
}

/** Throws unless `actual` carries exactly the attributes of `expected` (extra library fields are ignored). */
export function assertProfile(actual: unknown, expected: ProfileValues, what: string): void {
  if (!actual || typeof actual !== 'object') throw new Error(`${what}: expected an item, got ${String(actual)}`);
  const a = JSON.stringify(pickProfile(actual));
  const e = JSON.stringify(norm(expected));
  if (a !== e) throw new Error(`${what}: wrong item\n  got      ${a}\n  expected ${e}`);
}
