/**
 * Model declarations: template keys computed from other attributes, and SchemaErrors
 * raised at declaration time for every invalid declaration.
 */
import { expect } from 'chai';
import { Model, SchemaError, ValidationError, gsi, lsi, string, number, boolean, date, stringSet, map, template } from '../../src/index.js';

function issuesOf(fn: () => unknown): Record<string, string> {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ValidationError);
    return Object.fromEntries((err as ValidationError).issues.map((i) => [i.path, i.message]));
  }
  expect.fail('expected a ValidationError');
}

function schemaError(fn: () => unknown, pattern: RegExp): void {
  expect(fn).to.throw(SchemaError, pattern);
}

describe('schema: templates (single-table keys)', () => {
  class Order extends Model({
    table: 'shop',
    key: { hash: 'pk', range: 'sk' },
    entity: 'Order',
    attributes: {
      pk: template('CUSTOMER#{login}'),
      sk: template('ORDER#{placed}#{no}'),
      login: string(),
      placed: date(),
      no: number(),
    },
  }) {}

  it('computes template attributes on construction and in the stored item', () => {
    const o = new Order({ login: 'ann', placed: new Date('2024-05-06T00:00:00Z'), no: 3 });
    expect(o.pk).to.equal('CUSTOMER#ann');
    expect(o.sk).to.equal('ORDER#2024-05-06T00:00:00.000Z#3');
    expect(o.toItem()).to.deep.equal({
      pk: 'CUSTOMER#ann', sk: 'ORDER#2024-05-06T00:00:00.000Z#3', login: 'ann', placed: '2024-05-06T00:00:00.000Z', no: 3, _type: 'Order',
    });
  });

  it('stores the entity type under a custom entityField; an attribute may not take its name', () => {
    class Tagged extends Model({ table: 'shop', key: { hash: 'id' }, entity: 'Tag', entityField: 'kind', attributes: { id: string() } }) {}
    expect(new Tagged({ id: 'a' }).toItem()).to.deep.equal({ id: 'a', kind: 'Tag' });
    schemaError(() => Model({ table: 'shop', key: { hash: 'id' }, entity: 'T', attributes: { id: string(), _type: string() } }), /clashes with the entity-type field/);
  });

  it('builds a key from the template fields, and refuses setting a template attribute', () => {
    expect(Order.key({ login: 'ann', placed: new Date(0), no: 1 })).to.deep.equal({
      pk: 'CUSTOMER#ann', sk: 'ORDER#1970-01-01T00:00:00.000Z#1',
    });
    expect(issuesOf(() => Order.key({ login: 'ann' } as never)).sk).to.match(/needs "placed"/);
    expect(issuesOf(() => new Order({ pk: 'X', login: 'a', placed: new Date(), no: 1 } as never)).pk).to.match(/computed/);
  });
});

describe('schema: declaration errors', () => {
  const M = Model as (def: unknown) => unknown;
  const base = { table: 't' };

  it('range key that is not an attribute', () => {
    schemaError(() => M({ ...base, key: { hash: 'id', range: 'when' }, attributes: { id: string() } }), /range key "when" is not an attribute/);
  });
  it('hash key missing or not an attribute', () => {
    schemaError(() => M({ ...base, key: { hash: 'nope' }, attributes: { id: string() } }), /hash key "nope" is not an attribute/);
  });
  it('LSI on a table without a range key', () => {
    schemaError(() => M({ ...base, key: { hash: 'id' }, attributes: { id: string(), at: string() }, indexes: { byAt: lsi({ range: 'at' }) } }),
      /LSI "byAt" needs a table with a range key/);
  });
  it('LSI with another hash key', () => {
    schemaError(() => M({
      ...base, key: { hash: 'id', range: 'r' }, attributes: { id: string(), r: string(), o: string() },
      indexes: { bad: { type: 'lsi', hash: 'o', range: 'r', projection: 'all' } },
    }), /LSI "bad" must use the table's hash key "id"/);
  });
  it('index key of a non-scalar type', () => {
    schemaError(() => M({ ...base, key: { hash: 'id' }, attributes: { id: string(), tags: stringSet() }, indexes: { byTag: gsi({ hash: 'tags' }) } }),
      /GSI "byTag" hash key "tags" is a stringSet/);
    schemaError(() => M({ ...base, key: { hash: 'id' }, attributes: { id: string(), ok: boolean() }, indexes: { byOk: gsi({ hash: 'ok' }) } }),
      /is a boolean/);
  });
  it('a key attribute that is optional, or of a non-key type', () => {
    schemaError(() => M({ ...base, key: { hash: 'id' }, attributes: { id: string().optional() } }), /hash key "id" cannot be optional/);
    schemaError(() => M({ ...base, key: { hash: 'id' }, attributes: { id: map({}) } }), /keys must be strings, numbers or binary/);
  });
  it('an attribute named like an instance method', () => {
    schemaError(() => M({ ...base, key: { hash: 'id' }, attributes: { id: string(), save: string() } }), /"save" is reserved/);
    schemaError(() => M({ ...base, key: { hash: 'id' }, attributes: { id: string(), toJSON: string() } }), /"toJSON" is reserved/);
  });
  it('a template reading an unknown field, and a malformed template', () => {
    schemaError(() => M({ ...base, key: { hash: 'pk' }, attributes: { pk: template('U#{login}') } }), /reads "login", which is not an attribute/);
    schemaError(() => M({ ...base, key: { hash: 'pk' }, attributes: { pk: template('U#{constructor}') } }), /reads "constructor", which is not an attribute/);
    schemaError(() => M({ ...base, key: { hash: 'toString' }, attributes: { id: string() } }), /hash key "toString" is not an attribute/);
    schemaError(() => template('A#{x'), /unbalanced brace/);
  });
  it('an index projecting an unknown attribute, and a ttl that is not a date', () => {
    schemaError(() => M({ ...base, key: { hash: 'id' }, attributes: { id: string(), g: string() }, indexes: { byG: gsi({ hash: 'g', projection: ['nope'] }) } }),
      /projects unknown attribute "nope"/);
    schemaError(() => M({ ...base, key: { hash: 'id' }, attributes: { id: string() }, ttl: 'id' }), /ttl "id" must be a date or number/);
  });
});
