/**
 * Plugs a model's schema into the expression compilers: unknown attributes are
 * rejected by name, and operands are converted to stored form by the attribute
 * they are compared with (so a `Date` compares as its ISO string or epoch seconds).
 */
import type { Attribute } from '../schema/attribute.js';
import { ListAttribute, MapAttribute, SetAttribute } from '../schema/collections.js';
import { checkJson } from '../schema/json.js';
import { MAX_ITEM_BYTES, valueSize } from '../schema/size.js';
import type { ExpressionOptions, ValueOperator } from '../expressions/context.js';
import type { Path } from '../expressions/path.js';
import { ExpressionError, ValidationError, type FieldIssue } from '../errors.js';
import { WRITE_ID, type ModelSchema } from '../model/schema.js';

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
    resolveName: (name) => {
      if (!Object.hasOwn(schema.attributes, name) && name !== schema.entityField && name !== WRITE_ID) {
        throw new ExpressionError(`${schema.name}: "${name}" is not an attribute of the model`);
      }
    },
    mapValue: (path, value, operator) => {
      let attr = attributeAt(schema, path);
      // Free-form data (inside json()): still only what DynamoDB can store unchanged.
      if (!attr) return storable(schema, path, loose(value));
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
      if (attr.kind === 'json') return storable(schema, path, loose(value));
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

/** `value` when it is JSON data DynamoDB stores unchanged; else a ValidationError naming the path. */
function storable(schema: ModelSchema, path: Path, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  const issues: FieldIssue[] = [];
  checkJson(value, pathText(path), issues);
  if (!issues.length && valueSize(value) > MAX_ITEM_BYTES) issues.push({ path: pathText(path), message: `is ${valueSize(value)} bytes; DynamoDB items are at most ${MAX_ITEM_BYTES} bytes (400 KB)` });
  if (issues.length) throw new ValidationError(schema.name, issues);
  return value;
}

function pathText(path: Path): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}
