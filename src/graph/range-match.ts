/**
 * Client-side evaluation of a query's range-key condition, so one Query of a shared
 * partition can serve several edges (an item collection) and each edge still gets
 * exactly the items its own Query would have returned.
 */
import { isRangeCondition } from '../model/reads.js';
import type { ModelSchema } from '../schema/model-schema.js';
import { TemplateAttribute } from '../schema/template.js';

type Comparable = string | number;

function comparable(v: unknown): Comparable {
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number(v);
  return String(v);
}

function compare(a: Comparable, b: Comparable): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  // DynamoDB orders strings by UTF-8 bytes; Buffer comparison matches that exactly.
  return Buffer.compare(Buffer.from(String(a)), Buffer.from(String(b)));
}

/** A predicate over stored items: does the item's range key satisfy the query's range condition? */
export function rangeMatcher(schema: ModelSchema, condition: Record<string, unknown>): (item: Record<string, unknown>) => boolean {
  const range = schema.range;
  if (range === undefined) return () => true;
  const attr = schema.attributes[range];
  let raw = condition[range];
  if (raw === undefined && attr instanceof TemplateAttribute) {
    const given = attr.rangeCondition(condition);
    if (given && !('missing' in given)) raw = given;
  }
  if (raw === undefined) return () => true;
  const cond = (isRangeCondition(raw) ? raw : { eq: raw }) as Record<string, unknown>;
  const stored = (v: unknown) => comparable(attr instanceof TemplateAttribute ? v : attr.encode(v, range, [], true));
  const [op, operand] = Object.entries(cond)[0];
  if (op === 'between') {
    const [lo, hi] = (operand as unknown[]).map(stored);
    return (item) => compare(comparable(item[range]), lo) >= 0 && compare(comparable(item[range]), hi) <= 0;
  }
  const v = op === 'beginsWith' ? String(operand) : stored(operand);
  switch (op) {
    case 'eq': return (item) => compare(comparable(item[range]), v) === 0;
    case 'lt': return (item) => compare(comparable(item[range]), v) < 0;
    case 'le': return (item) => compare(comparable(item[range]), v) <= 0;
    case 'gt': return (item) => compare(comparable(item[range]), v) > 0;
    case 'ge': return (item) => compare(comparable(item[range]), v) >= 0;
    default: return (item) => String(item[range]).startsWith(v as string);
  }
}
