/**
 * The compiled form of one `Model({...})` declaration: checks the declaration once
 * (SchemaError at declaration time) and turns values into stored items and back.
 */
import { Attribute } from './attribute.js';
import { TemplateAttribute } from './template.js';
import { date } from './scalars.js';
import { decoderOf, inherited, inlineKind, type Decoder } from './decoder.js';
import { itemExceeds, itemSize, MAX_ITEM_BYTES } from './size.js';
import type { AttributeMap } from './types.js';
import type { IndexDeclaration } from './indexes.js';
import { SchemaError, ValidationError, type FieldIssue } from '../errors.js';

export type { StreamView, ModelOptions, ModelDefinition, TimestampsOptions, TimestampNames, WithTimestamps, IndexSchema } from './model-options.js';
import type { ModelDefinition, IndexSchema, StreamView } from './model-options.js';

/**
 * Prefix of the attributes a versioned item keeps to recognise its own writes after a lost
 * answer: `_w0` … `_w<writeHistory-1>` (who wrote each of the last versions) and `_wl` (the
 * item's lineage). See `versioning.ts`.
 */
export const WRITE_MARK_PREFIX = '_w';
/** Attribute holding a versioned item's lineage (a random id set when it is created). */
export const LINEAGE = `${WRITE_MARK_PREFIX}l`;
/** The slots that record the writers of a versioned item's last versions: `_w0` … `_w<writeHistory-1>`. */
export const WRITE_SLOT = /^_w\d+$/;
/** Whether an attribute name is one of the write marks of versioned items. */
export const isWriteMark = (name: string): boolean => /^_w(\d+|l)$/.test(name);
/** Default number of versions whose writers a versioned item remembers. */
export const DEFAULT_WRITE_HISTORY = 8;

/** Names an instance uses for its own methods; attributes may not take them. */
const RESERVED = new Set(['save', 'delete', 'toJSON', 'toItem', 'update', 'reload', 'constructor', 'isDirty', 'changes']);

/** The timestamp attribute names a `timestamps` option asks for. */
function timestampNames(option: ModelDefinition['timestamps']): { createdAt?: string; updatedAt?: string } {
  if (!option) return {};
  const o = option === true ? {} : option;
  const out: { createdAt?: string; updatedAt?: string } = {};
  for (const which of ['createdAt', 'updatedAt'] as const) {
    const name = o[which] === undefined ? which : o[which];
    if (name === false) continue;
    if (typeof name !== 'string' || !name) throw new SchemaError(`timestamps.${which} must be an attribute name or false`);
    out[which] = name;
  }
  return out;
}

/**
 * The attributes with the timestamps the user did not declare. They are optional at run
 * time: an instance holds none before its first save, nor an item stored before the option.
 */
function withTimestamps(attributes: AttributeMap, names: { createdAt?: string; updatedAt?: string }): AttributeMap {
  const missing = Object.values(names).filter((n) => !Object.hasOwn(attributes, n));
  if (!missing.length) return attributes;
  const out: AttributeMap = { ...attributes };
  for (const n of missing) out[n] = date().optional();
  return out;
}

/** The compiled declaration of one model. */
export class ModelSchema {
  readonly table: string;
  readonly attributes: Readonly<Record<string, Attribute>>;
  readonly names: readonly string[];
  readonly hash: string;
  readonly range: string | undefined;
  readonly indexes: Readonly<Record<string, IndexSchema>>;
  readonly computed: readonly (readonly [string, TemplateAttribute])[];
  readonly entity: string | undefined;
  readonly entityField: string;
  readonly ttl: string | undefined;
  readonly stream: StreamView | undefined;
  readonly version: string | undefined;
  /** New items without a key take the next id of the table's counter item (see ModelDefinition). */
  readonly autoincrement: boolean;
  /** Versions whose writers a versioned item remembers (see ModelDefinition.writeHistory). */
  readonly writeHistory: number;
  /** The maintained timestamp attributes (see ModelDefinition.timestamps); `{}` without. */
  readonly timestamps: { readonly createdAt?: string; readonly updatedAt?: string };
  /** A readable name for messages; the class name once known. */
  name: string;
  /** Per attribute, in `names` order: its decoder, and whether its name is one a plain object inherits. */
  private readonly decoders: readonly Decoder[];
  private readonly inheritedNames: readonly boolean[];
  /** Per attribute: decoded inline by the loop (see `inlineKind`), 0 through its decoder. */
  private readonly inlineKinds: Uint8Array;
  /** Per attribute, in `names` order (built once: `encode` runs for every write). */
  private readonly attributeList: readonly Attribute[];
  private readonly templateFlags: readonly boolean[];
  private readonly keyFlags: readonly boolean[];
  private readonly templateNames: ReadonlySet<string>;
  private readonly sparseIndexes: readonly IndexSchema[];
  /** @internal The attributes a new instance is given values for (every one but the templates), in `names` order. */
  readonly valueNames: readonly string[];
  /** @internal Their attributes, index for index with {@link valueNames}. */
  readonly valueAttributes: readonly Attribute[];

  constructor(def: ModelDefinition) {
    this.table = def.table;
    this.name = def.entity ?? def.table;
    if (!def.table) throw new SchemaError('a model needs a table name');
    this.timestamps = timestampNames(def.timestamps);
    this.attributes = withTimestamps(def.attributes, this.timestamps);
    this.names = Object.keys(this.attributes);
    this.hash = def.key?.hash;
    this.range = def.key?.range;
    this.entity = def.entity;
    this.entityField = def.entityField ?? '_type';
    this.ttl = def.ttl;
    this.stream = def.stream;
    this.version = def.version;
    this.autoincrement = def.autoincrement === true;
    this.writeHistory = def.writeHistory ?? DEFAULT_WRITE_HISTORY;
    if (!Number.isInteger(this.writeHistory) || this.writeHistory < 1 || this.writeHistory > 100) {
      throw new SchemaError(`${this.name}: writeHistory must be an integer from 1 to 100`);
    }
    this.computed = this.names.flatMap((n) => {
      const a = def.attributes[n];
      return a instanceof TemplateAttribute ? [[n, a] as const] : [];
    });
    this.checkAttributes();
    this.decoders = this.names.map((n) => decoderOf(this.attributes[n]));
    this.inheritedNames = this.names.map(inherited);
    this.inlineKinds = Uint8Array.from(this.names, (n) => inlineKind(this.attributes[n]));
    this.attributeList = this.names.map((n) => this.attributes[n]);
    this.templateFlags = this.attributeList.map((a) => a instanceof TemplateAttribute);
    this.templateNames = new Set(this.computed.map(([n]) => n));
    this.valueNames = this.names.filter((n) => !this.templateNames.has(n));
    this.valueAttributes = this.valueNames.map((n) => this.attributes[n]);
    this.checkKey(this.hash, 'hash key');
    if (this.range !== undefined) this.checkKey(this.range, 'range key');
    this.indexes = this.compileIndexes(def.indexes ?? {});
    this.sparseIndexes = Object.values(this.indexes).filter((i) => i.sparse !== undefined);
    this.keyFlags = this.names.map((n) => n === this.hash || n === this.range);
    if (this.ttl !== undefined) {
      const kind = this.attributes[this.ttl]?.kind;
      if (kind !== 'date' && kind !== 'number') throw new SchemaError(`${this.name}: ttl "${this.ttl}" must be a date or number attribute`);
    }
    if (this.version !== undefined && this.attributes[this.version]?.kind !== 'number') {
      throw new SchemaError(`${this.name}: version "${this.version}" must be a number attribute`);
    }
    if (this.version !== undefined && (this.version === this.hash || this.version === this.range)) {
      throw new SchemaError(`${this.name}: version "${this.version}" cannot be a key attribute`);
    }
    for (const n of Object.values(this.timestamps)) {
      if (this.attributes[n].kind !== 'date') throw new SchemaError(`${this.name}: timestamp "${n}" must be a date attribute`);
      if (this.keyNames.includes(n) || n === this.version) throw new SchemaError(`${this.name}: timestamp "${n}" cannot be a key or the version attribute`);
    }
    if (this.timestamps.createdAt !== undefined && this.timestamps.createdAt === this.timestamps.updatedAt) {
      throw new SchemaError(`${this.name}: createdAt and updatedAt cannot be the same attribute "${this.timestamps.createdAt}"`);
    }
    if (this.autoincrement) {
      if (this.range !== undefined) throw new SchemaError(`${this.name}: autoincrement needs a hash-only table; "${this.range}" is a range key`);
      if (this.attributes[this.hash].kind !== 'number') throw new SchemaError(`${this.name}: autoincrement needs a number() hash key; "${this.hash}" is a ${this.attributes[this.hash].kind}`);
    }
  }

  private checkAttributes(): void {
    for (const n of this.names) {
      if (!(this.attributes[n] instanceof Attribute)) throw new SchemaError(`${this.name}: attribute "${n}" is not an attribute builder`);
      if (RESERVED.has(n)) throw new SchemaError(`${this.name}: attribute name "${n}" is reserved for instance methods`);
      if (n === this.entityField) throw new SchemaError(`${this.name}: attribute "${n}" clashes with the entity-type field`);
      // Assigning it would set the instance's prototype instead of holding a value.
      if (n === '__proto__') throw new SchemaError(`${this.name}: "__proto__" cannot be an attribute name`);
      if (isWriteMark(n)) throw new SchemaError(`${this.name}: attribute name "${n}" is reserved for the write marks of versioned items`);
    }
    for (const [n, t] of this.computed) {
      for (const f of t.fields) {
        if (!Object.hasOwn(this.attributes, f)) throw new SchemaError(`${this.name}: template of "${n}" reads "${f}", which is not an attribute`);
        if (this.attributes[f] instanceof TemplateAttribute) throw new SchemaError(`${this.name}: template of "${n}" reads another template "${f}"`);
      }
    }
  }

  private checkKey(name: string | undefined, what: string, optionalOk = false): void {
    if (!name) throw new SchemaError(`${this.name}: ${what} is missing`);
    const attr = Object.hasOwn(this.attributes, name) ? this.attributes[name] : undefined;
    if (!attr) throw new SchemaError(`${this.name}: ${what} "${name}" is not an attribute`);
    if (!attr.scalarType) throw new SchemaError(`${this.name}: ${what} "${name}" is a ${attr.kind}; keys must be strings, numbers or binary`);
    if (!optionalOk && attr.isOptional) throw new SchemaError(`${this.name}: ${what} "${name}" cannot be optional`);
  }

  private compileIndexes(decls: Record<string, IndexDeclaration>): Record<string, IndexSchema> {
    const out: Record<string, IndexSchema> = {};
    for (const [name, d] of Object.entries(decls)) {
      if (d.type === 'lsi') {
        if (this.range === undefined) throw new SchemaError(`${this.name}: LSI "${name}" needs a table with a range key`);
        if ('hash' in d && (d as { hash?: string }).hash !== undefined && (d as { hash?: string }).hash !== this.hash) {
          throw new SchemaError(`${this.name}: LSI "${name}" must use the table's hash key "${this.hash}"`);
        }
        this.checkKey(d.range, `LSI "${name}" range key`, true);
        out[name] = { name, type: 'lsi', hash: this.hash, range: d.range, projection: d.projection, sparse: d.sparse };
      } else {
        this.checkKey(d.hash, `GSI "${name}" hash key`, true);
        if (d.range !== undefined) this.checkKey(d.range, `GSI "${name}" range key`, true);
        out[name] = { name, type: 'gsi', hash: d.hash, range: d.range, projection: d.projection, sparse: d.sparse, throughput: d.throughput };
      }
      if (Array.isArray(d.projection)) {
        for (const p of d.projection) if (!Object.hasOwn(this.attributes, p)) throw new SchemaError(`${this.name}: index "${name}" projects unknown attribute "${p}"`);
      }
    }
    return out;
  }

  /** Names of the primary key attributes (one array per schema: do not change it). */
  get keyNames(): string[] {
    return (this.keyNameList ??= this.range === undefined ? [this.hash] : [this.hash, this.range]);
  }
  private keyNameList: string[] | undefined;

  /** Throws a ValidationError when `input` holds names that are not attributes. */
  checkUnknown(input: Record<string, unknown>): void {
    let issues: FieldIssue[] | undefined;
    for (const k of Object.keys(input)) {
      if (!Object.hasOwn(this.attributes, k)) {
        if (input[k] !== undefined) (issues ??= []).push({ path: k, message: 'is not an attribute of the model' });
      } else if (this.templateNames.has(k)) (issues ??= []).push({ path: k, message: 'is computed from its template and cannot be set' });
    }
    if (issues) throw new ValidationError(this.name, issues);
  }

  /**
   * Validates every attribute and returns the stored item. Throws one ValidationError
   * listing every bad field; nothing is sent when this throws.
   */
  encode(values: Record<string, unknown>): Record<string, unknown> {
    const issues: FieldIssue[] = [];
    const item: Record<string, unknown> = {};
    const { names, attributeList, templateFlags, keyFlags } = this;
    for (let i = 0; i < names.length; i++) {
      const n = names[i];
      const attr = attributeList[i];
      const value = templateFlags[i] ? (attr as TemplateAttribute).compute(values, n, issues) : values[n];
      const stored = attr.encode(value, n, issues, keyFlags[i]);
      if (stored !== undefined) item[n] = stored;
    }
    for (const index of this.sparseIndexes) {
      if (index.sparse && !index.sparse(values)) {
        for (const k of [index.hash, index.range]) if (k !== undefined && k !== this.hash && k !== this.range) delete item[k];
      }
    }
    if (this.entity !== undefined) item[this.entityField] = this.entity;
    if (issues.length === 0) {
      if (itemExceeds(item, MAX_ITEM_BYTES)) issues.push({ path: '(item)', message: `is ${itemSize(item)} bytes; DynamoDB items are at most ${MAX_ITEM_BYTES} bytes (400 KB)` });
    }
    if (issues.length) throw new ValidationError(this.name, issues);
    return item;
  }

  /** Turns a stored item into attribute values (absent sets/strings restored as empty). */
  decode(item: Record<string, unknown>): Record<string, unknown> {
    return this.decodeInto({}, item);
  }

  /**
   * Decodes a stored item straight onto `target` (an instance being constructed). Reads
   * skip the intermediate object: a plain object given more than a dozen keys one by one
   * turns into a slow dictionary-mode object, and copying one onto an instance with
   * `Object.assign` cost several times the decoding itself.
   */
  decodeInto<T extends Record<string, unknown>>(target: T, item: Record<string, unknown>): T {
    const { names, decoders, inheritedNames, inlineKinds } = this;
    const out = target as Record<string, unknown>;
    for (let i = 0; i < names.length; i++) {
      const n = names[i];
      // An attribute named like an Object.prototype member ("toString") that the item lacks is absent, not that member.
      const stored = inheritedNames[i] && !Object.hasOwn(item, n) ? undefined : item[n];
      switch (inlineKinds[i]) {
        case 1:
          out[n] = stored === undefined || stored === null ? '' : stored;
          break;
        case 2:
          if (stored !== undefined && stored !== null) out[n] = stored;
          break;
        case 3:
          if (typeof stored === 'number') out[n] = stored;
          else if (stored !== undefined && stored !== null) out[n] = decoders[i](stored);
          break;
        default: {
          const v = decoders[i](stored);
          if (v !== undefined) out[n] = v;
        }
      }
    }
    return target;
  }

  /**
   * The stored primary key from a key input: key attribute values, or for templated
   * keys the fields the template reads (the stored key string itself is accepted too).
   */
  key(input: Record<string, unknown>): Record<string, unknown> {
    if (input === null || typeof input !== 'object') throw new ValidationError(this.name, [{ path: '(key)', message: 'expected a key object' }]);
    const issues: FieldIssue[] = [];
    const key: Record<string, unknown> = {};
    for (const n of this.keyNames) {
      const attr = this.attributes[n];
      let value = input[n];
      if (value === undefined && attr instanceof TemplateAttribute) value = attr.compute(input, n, issues);
      else if (value === undefined) issues.push({ path: n, message: 'is required in the key' });
      if (value !== undefined) {
        const stored = attr.encode(value, n, issues, true);
        if (stored !== undefined) key[n] = stored;
      }
    }
    if (issues.length) throw new ValidationError(this.name, issues);
    return key;
  }

  /** The stored primary key of a stored item. */
  keyOfItem(item: Record<string, unknown>): Record<string, unknown> {
    const key: Record<string, unknown> = { [this.hash]: item[this.hash] };
    if (this.range !== undefined) key[this.range] = item[this.range];
    return key;
  }
}
