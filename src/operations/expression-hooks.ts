/**
 * Plugs a model's schema into the expression compilers: unknown attributes are
 * rejected by name, and operands are converted to stored form by the attribute
 * they are compared with (so a `Date` compares as its ISO string or epoch seconds).
 * What DynamoDB would reject in a model's reads (a consistent GSI read, a query's filter
 * on its keys, a projection of list elements) is refused here, before any request.
 */
import type { Attribute } from '../schema/attribute.js';
import { ListAttribute, MapAttribute, SetAttribute } from '../schema/collections.js';
import { checkJson } from '../schema/json.js';
import { MAX_ITEM_BYTES, valueSize } from '../schema/size.js';
import type { ExpressionOptions, ValueOperator } from '../expressions/context.js';
import { compileCondition } from '../expressions/condition.js';
import { ExpressionAttributes } from '../expressions/placeholders.js';
import type { ReadOptions } from './read-stream.js';
import type { Path } from '../expressions/path.js';
import { ExpressionError, ValidationError, type FieldIssue } from '../errors.js';
import { isWriteMark, type ModelSchema } from '../schema/model-schema.js';

/** The attribute declared at a path, or `undefined` when the path enters free-form data. */
export function attributeAt(schema: ModelSchema, path: Path): Attribute | undefined {
  let attr: Attribute | undefined = Object.hasOwn(schema.attributes, path[0]) ? schema.attributes[path[0] as string] : undefined;
  for (let i = 1; i < path.length && attr; i++) {
    const seg = path[i];
    if (attr instanceof ListAttribute && typeof seg === 'number') attr = attr.of;
    else if (attr instanceof MapAttribute && typeof seg === 'string') attr = Object.hasOwn(attr.shape, seg) ? attr.shape[seg] : undefined;
    else return undefined;
  }
  return attr;
}

/** Operators whose operand is one element of the attribute, not a whole value. */
const ELEMENT_OPERATORS = new Set<ValueOperator>(['contains']);

function loose(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/** Expression hooks for one model. */
export function expressionHooks(schema: ModelSchema): ExpressionOptions {
  return {
    isAttribute: (name) => Object.hasOwn(schema.attributes, name),
    // DynamoDB returns projected list elements without their positions (`l[2]` comes back as
    // `l: [x]`), so a model read could only misplace them: project the whole list.
    checkProjection: (path) => {
      if (path.some((s) => typeof s === 'number')) {
        throw new ExpressionError(`${schema.name}: projection of ${pathText(path)} picks list elements, which DynamoDB returns without their positions; project the whole list "${String(path[0])}"`);
      }
    },
    resolveName: (name) => {
      if (!Object.hasOwn(schema.attributes, name) && name !== schema.entityField && !isWriteMark(name)) {
        throw new ExpressionError(`${schema.name}: "${name}" is not an attribute of the model`);
      }
    },
    mapValue: (path, value, operator) => {
      let attr = attributeAt(schema, path);
      // Free-form data (inside json()): still only what DynamoDB can store unchanged.
      if (!attr) return storable(schema, path, loose(value), operator);
      if ((ELEMENT_OPERATORS.has(operator) || operator === 'beginsWith') && attr.kind !== 'string') {
        if (attr instanceof ListAttribute) attr = attr.of;
        else if (attr instanceof SetAttribute) return value;
        else return loose(value);
      }
      if (operator === 'append' || operator === 'prepend') {
        if (!(attr instanceof ListAttribute)) return loose(value);
      }
      if ((operator === 'add' || operator === 'increment') && attr.kind === 'number') {
        if (typeof value !== 'number') throw new ValidationError(schema.name, [{ path: pathText(path), message: `${operator} needs a number` }]);
        return value;
      }
      if (attr.kind === 'template') return loose(value);
      if (attr.kind === 'json') return storable(schema, path, loose(value), operator);
      if (operator === 'contains' && attr.kind === 'string') return value;
      const issues: FieldIssue[] = [];
      const stored = attr.encode(value, pathText(path), issues);
      // An item holds at most 400 KB: a single value beyond that can be neither stored nor matched.
      if (!issues.length && stored !== undefined && valueSize(stored) > MAX_ITEM_BYTES) issues.push({ path: pathText(path), message: `is ${valueSize(stored)} bytes; DynamoDB items are at most ${MAX_ITEM_BYTES} bytes (400 KB)` });
      if (issues.length) throw new ValidationError(schema.name, issues);
      // '' and empty sets are stored as absent; compare with the literal value.
      return stored === undefined ? value : stored;
    },
  };
}

/** Operators whose operand is written as the value at the path (the others compare, or add to what is stored). */
const STORING_OPERATORS = new Set<ValueOperator>(['set', 'setIfNotExists', 'append', 'prepend']);

/** `value` when it is JSON data DynamoDB stores unchanged; else a ValidationError naming the path. */
function storable(schema: ModelSchema, path: Path, value: unknown, operator: ValueOperator): unknown {
  if (value === undefined || value === null) return value;
  const issues: FieldIssue[] = [];
  checkJson(value, pathText(path), issues, { operand: !STORING_OPERATORS.has(operator) });
  if (!issues.length && valueSize(value) > MAX_ITEM_BYTES) issues.push({ path: pathText(path), message: `is ${valueSize(value)} bytes; DynamoDB items are at most ${MAX_ITEM_BYTES} bytes (400 KB)` });
  if (issues.length) throw new ValidationError(schema.name, issues);
  return value;
}

function pathText(path: Path): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** DynamoDB type of each key attribute a read's keys hold. */
export function keyTypesOf(schema: ModelSchema, keyNames: readonly string[]): Record<string, 'S' | 'N' | 'B'> {
  const out: Record<string, 'S' | 'N' | 'B'> = {};
  for (const n of keyNames) {
    const t = Object.hasOwn(schema.attributes, n) ? schema.attributes[n].scalarType : undefined;
    if (t) out[n] = t;
  }
  return out;
}

/**
 * What DynamoDB refuses in a read's options, refused before the first request instead, naming
 * the index or attribute: a consistent read of a GSI, and a query's filter on a key of the table
 * or index it reads (a scan may filter on keys).
 */
export function readRefusals(schema: ModelSchema, kind: 'query' | 'scan', indexName: string | undefined, hooks: ExpressionOptions): (read: ReadOptions) => void {
  const index = indexName ? schema.indexes[indexName] : undefined;
  const keys = index ? [index.hash, index.range] : [schema.hash, schema.range];
  const where = index ? `index "${indexName}"` : 'the table';
  const checked = new WeakSet<ReadOptions>();
  return (read) => {
    if (checked.has(read)) return;
    if (read.consistent && index?.type === 'gsi') {
      throw new ExpressionError(`${schema.name}: consistent reads are not supported on global secondary indexes, and index "${indexName}" is one; drop consistent, or read the table or a local index`);
    }
    if (kind === 'query' && read.filter) {
      // Compiled once more, aside, so every path is resolved exactly as the request will resolve it.
      compileCondition(read.filter, new ExpressionAttributes(), {
        ...hooks,
        parameter: 'FilterExpression',
        resolveName: (n) => {
          if (keys.includes(n)) {
            throw new ExpressionError(`${schema.name}: the filter tests "${n}", a key attribute of ${where}; DynamoDB refuses a query's filter on its keys, so put the condition on "${n}" in the query's key instead`);
          }
          hooks.resolveName?.(n);
        },
      });
    }
    checked.add(read);
  };
}
