/**
 * Dirty tracking and write params without a database: stored values compared by value,
 * the minimal actions a partial save sends, update params (clauses merged, conditions
 * ANDed), and update actions applied in memory as DynamoDB applies them.
 */
import { expect } from 'chai';
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import { Model, number, string, stringSet, list, map, json, decimal } from '../../src/index.js';
import { canonicalNumber, diffItems, describeChanges, sameStored } from '../../src/model/changes.js';
import { applyActions, specActions } from '../../src/model/update-spec.js';
import { updateParams } from '../../src/operations/update.js';
import { set } from '../../src/expressions/update.js';

class Doc extends Model({
  table: 'docs',
  key: { hash: 'id' },
  attributes: {
    id: string(), n: number(), price: decimal().optional(), tags: stringSet(), items: list(string()),
    meta: map({ a: string(), b: number().optional() }), free: json<Record<string, unknown>>().optional(),
  },
}) {}
const schema = Doc.schema;

describe('dirty tracking (unit)', () => {
  it('compares numbers by value, whatever their stored form', () => {
    expect(canonicalNumber('12.50')).to.equal(canonicalNumber('12.5'));
    expect(canonicalNumber('1.25e1')).to.equal(canonicalNumber('12.5'));
    expect(canonicalNumber('0.000')).to.equal('0');
    expect(canonicalNumber('-0.5')).to.not.equal(canonicalNumber('0.5'));
    expect(sameStored(NumberValue.from('12.50'), 12.5)).to.equal(true);
    expect(sameStored(10n ** 20n, NumberValue.from('100000000000000000000'))).to.equal(true);
    expect(sameStored(new Set([1, 2]), new Set([NumberValue.from('2'), 1]))).to.equal(true);
    expect(sameStored(new Uint8Array([1]), new Uint8Array([1]))).to.equal(true);
    expect(sameStored({ a: [1, { b: 'x' }] }, { a: [1, { b: 'y' }] })).to.equal(false);
    expect(sameStored(undefined, null)).to.equal(true);
  });

  it('diffs deeply: nested map keys, list tails, set elements; keys never', () => {
    const before = { id: 'k', n: 1, tags: new Set(['a']), items: ['x'], meta: { a: 'p', b: 1 }, free: { deep: { v: 1 } } };
    const after = { id: 'k2', n: 1, tags: new Set(['a', 'b']), items: ['x', 'y'], meta: { a: 'q' }, free: { deep: { v: 2 } } };
    expect(describeChanges(diffItems(schema, before, after))).to.deep.equal([
      { path: 'tags', action: 'ADD' },
      { path: 'items', action: 'APPEND' },
      { path: 'meta.a', action: 'SET' },
      { path: 'meta.b', action: 'REMOVE' },
      { path: 'free.deep.v', action: 'SET' },
    ]);
    expect(diffItems(schema, before, { ...before, price: NumberValue.from('1.0') }).map((a) => a.kind)).to.deep.equal(['set']);
    expect(diffItems(schema, { ...before, price: NumberValue.from('1.0') }, { ...before, price: NumberValue.from('1.00') })).to.deep.equal([]);
  });

  it('builds update params with merged clauses and ANDed conditions', () => {
    const params = updateParams(schema, 't', {
      key: { id: 'k' },
      actions: specActions(schema, { add: { n: 1 }, remove: ['price'] }),
      storedActions: [set(['items'], ['z'])],
      guards: { condition: { n: { lt: 10 } } },
      mustExist: true,
    });
    expect(params.UpdateExpression).to.equal('SET #n2 = :v1 REMOVE #n0 ADD #n1 :v0');
    expect(params.ConditionExpression).to.equal('(attribute_exists(#n3)) AND (#n1 < :v2)');
    expect(params.ExpressionAttributeNames).to.deep.equal({ '#n0': 'price', '#n1': 'n', '#n2': 'items', '#n3': 'id' });
    expect(params.ReturnValuesOnConditionCheckFailure).to.equal('ALL_OLD');
  });

  it('applies update actions in memory as DynamoDB would', () => {
    const values: Record<string, unknown> = { id: 'k', n: 1, tags: new Set(['a']), items: ['x'], meta: { a: 'p', b: 2 } };
    applyActions(schema, values, specActions(schema, {
      add: { n: 4, tags: ['b'] }, append: { items: ['y'] }, prepend: { items: [] }, set: { 'meta.a': 'q' }, remove: ['meta.b'],
    }).filter((a) => a.kind !== 'prepend'));
    expect(values).to.deep.equal({ id: 'k', n: 5, tags: new Set(['a', 'b']), items: ['x', 'y'], meta: { a: 'q' } });
    applyActions(schema, values, specActions(schema, { delete: { tags: ['a'] }, setIfNotExists: { price: '9.5', n: 100 } }));
    expect(values.tags).to.deep.equal(new Set(['b']));
    expect(values.price).to.equal('9.5');
    expect(values.n).to.equal(5);
  });
});
