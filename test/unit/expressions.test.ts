import { expect } from 'chai';
import { DynagraphError, ExpressionError } from '../../src/errors.js';
import {
  ExpressionAttributes, absent, add, and, append, attr, compileCondition, compileKeyCondition,
  compileProjection, compileUpdate, deleteFromSet, formatPath, increment, isConditionNode, not, or, parsePath, path,
  prepend, remove, set, setIfNotExists,
  type Condition, type ExpressionOptions, type KeyConditionInput, type Path, type UpdateAction,
} from '../../src/expressions/index.js';

interface Compiled {
  text: string;
  names: Record<string, string> | undefined;
  values: Record<string, unknown> | undefined;
}

function cond(c: Condition, options?: ExpressionOptions): Compiled {
  const attrs = new ExpressionAttributes();
  const text = compileCondition(c, attrs, options);
  return { text, names: attrs.names, values: attrs.values };
}

function upd(actions: UpdateAction[], options?: ExpressionOptions): Compiled {
  const attrs = new ExpressionAttributes();
  const text = compileUpdate(actions, attrs, options);
  return { text, names: attrs.names, values: attrs.values };
}

function key(input: KeyConditionInput): Compiled {
  const attrs = new ExpressionAttributes();
  const text = compileKeyCondition(input, attrs);
  return { text, names: attrs.names, values: attrs.values };
}

/** Asserts `fn` throws an ExpressionError whose message contains every fragment. */
function expectExpressionError(fn: () => unknown, ...fragments: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected an ExpressionError').to.be.instanceOf(ExpressionError);
  const err = caught as ExpressionError;
  expect(err).to.be.instanceOf(DynagraphError);
  expect(err.code).to.equal('INVALID_EXPRESSION');
  for (const f of fragments) expect(err.message).to.include(f);
}

describe('expressions', () => {
  describe('ExpressionAttributes', () => {
    it('gives the same segment the same placeholder and distinct ones distinct', () => {
      const a = new ExpressionAttributes();
      expect(a.name('NAME')).to.equal('#n0');
      expect(a.name('STATUS')).to.equal('#n1');
      expect(a.name('NAME')).to.equal('#n0');
      expect(a.names).to.deep.equal({ '#n0': 'NAME', '#n1': 'STATUS' });
    });

    it('renders paths with literal list indexes', () => {
      const a = new ExpressionAttributes();
      expect(a.path(['a', 'b', 2, 'c'])).to.equal('#n0.#n1[2].#n2');
      expect(a.path(['list', 0, 1])).to.equal('#n3[0][1]');
      expect(a.path(['b', 'a'])).to.equal('#n1.#n0');
    });

    it('allocates a fresh value placeholder each time', () => {
      const a = new ExpressionAttributes();
      expect(a.value(1)).to.equal(':v0');
      expect(a.value(1)).to.equal(':v1');
      expect(a.value('')).to.equal(':v2');
      expect(a.values).to.deep.equal({ ':v0': 1, ':v1': 1, ':v2': '' });
    });

    it('reports undefined maps when empty and omits them from params', () => {
      const a = new ExpressionAttributes();
      expect(a.names).to.equal(undefined);
      expect(a.values).to.equal(undefined);
      expect(a.toParams()).to.deep.equal({});
      a.name('x');
      expect(a.toParams()).to.deep.equal({ ExpressionAttributeNames: { '#n0': 'x' } });
      a.value(null);
      expect(a.toParams()).to.deep.equal({
        ExpressionAttributeNames: { '#n0': 'x' },
        ExpressionAttributeValues: { ':v0': null },
      });
    });

    it('rejects values DynamoDB cannot hold and empty names', () => {
      const a = new ExpressionAttributes();
      expectExpressionError(() => a.value(undefined), 'undefined');
      expectExpressionError(() => a.value(new Set()), 'empty set');
      expectExpressionError(() => a.value(Number.NaN), 'NaN');
      expectExpressionError(() => a.value(Infinity), 'Infinity');
      expectExpressionError(() => a.name(''), 'non-empty');
      expectExpressionError(() => a.path([]), 'at least one segment');
    });
  });

  describe('paths', () => {
    it('parses dotted and indexed paths', () => {
      expect(parsePath('a.b[2].c')).to.deep.equal(['a', 'b', 2, 'c']);
      expect(parsePath('a[0][10]')).to.deep.equal(['a', 0, 10]);
      expect(parsePath('a')).to.deep.equal(['a']);
      expect(parsePath('first name.x#y:z')).to.deep.equal(['first name', 'x#y:z']);
      expect(parsePath('naïve.名前')).to.deep.equal(['naïve', '名前']);
    });

    for (const [input, fragment] of [
      ['', 'empty path'],
      ['a..b', 'empty segment'],
      ['.a', 'empty segment'],
      ['a.', 'empty segment'],
      ['[0]', 'must start with an attribute name'],
      ['a[', 'unbalanced "["'],
      ['a]', 'unbalanced "]"'],
      ['a[0]]', 'unbalanced "]"'],
      ['a[-1]', 'non-negative integer'],
      ['a[1.5]', 'non-negative integer'],
      ['a[x]', 'non-negative integer'],
      ['a[]', 'non-negative integer'],
      ['a[1]b', 'expected "." or "["'],
    ] as const) {
      it(`rejects ${JSON.stringify(input)}`, () => {
        expectExpressionError(() => parsePath(input), `Invalid path ${JSON.stringify(input)}`, fragment);
      });
    }

    it('builds literal paths with path()', () => {
      expect(path('weird.name', 'x', 0)).to.deep.equal(['weird.name', 'x', 0]);
      expectExpressionError(() => path(), 'at least one segment');
      expectExpressionError(() => path(0), 'must start with an attribute name');
      expectExpressionError(() => path('a', -1), '-1', 'non-negative integer');
      expectExpressionError(() => path('a', 1.5), '1.5');
      expectExpressionError(() => path('a', ''), 'empty name segment');
    });

    it('formats paths for messages', () => {
      expect(formatPath(['a', 'b', 2, 'c'])).to.equal('a.b[2].c');
      expect(formatPath(['weird.name', 0])).to.equal('"weird.name"[0]');
    });
  });

  describe('condition operators', () => {
    const cases: [string, Condition, string, Record<string, unknown> | undefined][] = [
      ['eq', attr('price').eq(5), '#n0 = :v0', { ':v0': 5 }],
      ['ne', attr('price').ne(5), '#n0 <> :v0', { ':v0': 5 }],
      ['lt', attr('price').lt(5), '#n0 < :v0', { ':v0': 5 }],
      ['le', attr('price').le(5), '#n0 <= :v0', { ':v0': 5 }],
      ['gt', attr('price').gt(5), '#n0 > :v0', { ':v0': 5 }],
      ['ge', attr('price').ge(5), '#n0 >= :v0', { ':v0': 5 }],
      ['between', attr('price').between(1, 9), '#n0 BETWEEN :v0 AND :v1', { ':v0': 1, ':v1': 9 }],
      ['in', attr('price').in(1, 2, 3), '#n0 IN (:v0, :v1, :v2)', { ':v0': 1, ':v1': 2, ':v2': 3 }],
      ['beginsWith', attr('price').beginsWith('ab'), 'begins_with(#n0, :v0)', { ':v0': 'ab' }],
      ['contains', attr('price').contains('x'), 'contains(#n0, :v0)', { ':v0': 'x' }],
      ['exists', attr('price').exists(), 'attribute_exists(#n0)', undefined],
      ['notExists', attr('price').notExists(), 'attribute_not_exists(#n0)', undefined],
      ['type', attr('price').type('N'), 'attribute_type(#n0, :v0)', { ':v0': 'N' }],
      ['size eq', attr('price').size().eq(3), 'size(#n0) = :v0', { ':v0': 3 }],
      ['size ne', attr('price').size().ne(3), 'size(#n0) <> :v0', { ':v0': 3 }],
      ['size lt', attr('price').size().lt(3), 'size(#n0) < :v0', { ':v0': 3 }],
      ['size le', attr('price').size().le(3), 'size(#n0) <= :v0', { ':v0': 3 }],
      ['size gt', attr('price').size().gt(3), 'size(#n0) > :v0', { ':v0': 3 }],
      ['size ge', attr('price').size().ge(3), 'size(#n0) >= :v0', { ':v0': 3 }],
      ['size between', attr('price').size().between(1, 4), 'size(#n0) BETWEEN :v0 AND :v1', { ':v0': 1, ':v1': 4 }],
      ['object bare eq', { price: 5 }, '#n0 = :v0', { ':v0': 5 }],
      ['object ne', { price: { ne: 5 } }, '#n0 <> :v0', { ':v0': 5 }],
      ['object between', { price: { between: [1, 9] } }, '#n0 BETWEEN :v0 AND :v1', { ':v0': 1, ':v1': 9 }],
      ['object in', { price: { in: [1, 2] } }, '#n0 IN (:v0, :v1)', { ':v0': 1, ':v1': 2 }],
      ['object beginsWith', { price: { beginsWith: 'P' } }, 'begins_with(#n0, :v0)', { ':v0': 'P' }],
      ['object contains', { price: { contains: 'x' } }, 'contains(#n0, :v0)', { ':v0': 'x' }],
      ['object exists true', { price: { exists: true } }, 'attribute_exists(#n0)', undefined],
      ['object exists false', { price: { exists: false } }, 'attribute_not_exists(#n0)', undefined],
      ['object absent', { price: absent }, 'attribute_not_exists(#n0)', undefined],
      ['object type', { price: { type: 'NULL' } }, 'attribute_type(#n0, :v0)', { ':v0': 'NULL' }],
      ['object size', { price: { size: { gt: 3 } } }, 'size(#n0) > :v0', { ':v0': 3 }],
      ['object size between', { price: { size: { between: [1, 2] } } }, 'size(#n0) BETWEEN :v0 AND :v1', { ':v0': 1, ':v1': 2 }],
    ];
    for (const [label, c, text, values] of cases) {
      it(label, () => {
        expect(cond(c)).to.deep.equal({ text, names: { '#n0': 'price' }, values });
      });
    }

    it('accepts every attribute type code', () => {
      for (const code of ['S', 'SS', 'N', 'NS', 'B', 'BS', 'BOOL', 'NULL', 'L', 'M'] as const) {
        expect(cond(attr('x').type(code)).values).to.deep.equal({ ':v0': code });
      }
    });

    it('accepts 100 IN candidates', () => {
      const values = Array.from({ length: 100 }, (_, i) => i);
      const out = cond({ x: { in: values } });
      expect(Object.keys(out.values!)).to.have.length(100);
      expect(out.text).to.match(/^#n0 IN \(:v0, :v1, .*, :v99\)$/);
    });

    it('ANDs several entries and several operators of one entry, in order', () => {
      expect(cond({ price: { gt: 1, lt: 10 }, name: 'bob', coupon: absent })).to.deep.equal({
        text: '#n0 > :v0 AND #n0 < :v1 AND #n1 = :v2 AND attribute_not_exists(#n2)',
        names: { '#n0': 'price', '#n1': 'name', '#n2': 'coupon' },
        values: { ':v0': 1, ':v1': 10, ':v2': 'bob' },
      });
    });

    it('takes dates, sets, arrays and maps as values, and { eq } for maps shaped like operators', () => {
      const d = new Date(0);
      const s = new Set(['a']);
      expect(cond({ a: d, b: s, c: [1], d: { city: 'Paris' }, e: { eq: { size: 1 } } })).to.deep.equal({
        text: '#n0 = :v0 AND #n1 = :v1 AND #n2 = :v2 AND #n3 = :v3 AND #n4 = :v4',
        names: { '#n0': 'a', '#n1': 'b', '#n2': 'c', '#n3': 'd', '#n4': 'e' },
        values: { ':v0': d, ':v1': s, ':v2': [1], ':v3': { city: 'Paris' }, ':v4': { size: 1 } },
      });
    });

    it('compares two attributes when an attr() is the operand', () => {
      expect(cond(attr('stock').lt(attr('reserved')))).to.deep.equal({
        text: '#n0 < #n1', names: { '#n0': 'stock', '#n1': 'reserved' }, values: undefined,
      });
      expect(cond(attr('a').between(attr('lo'), 5)).text).to.equal('#n0 BETWEEN #n1 AND :v0');
      expect(cond({ a: { ge: attr('b.c') } }).text).to.equal('#n0 >= #n1.#n2');
      expect(isConditionNode(attr('a').eq(1))).to.equal(true);
      expect(isConditionNode({ a: 1 })).to.equal(false);
    });
  });

  describe('names', () => {
    it('puts reserved words and odd characters behind placeholders', () => {
      const out = cond({
        NAME: 1, STATUS: 2, DATA: 3, COUNT: 4, USER: 5, 'first name': 6, 'a#b': 7, 'x:y': 8, 'naïve名前': 9,
      });
      expect(out.text).to.equal(
        '#n0 = :v0 AND #n1 = :v1 AND #n2 = :v2 AND #n3 = :v3 AND #n4 = :v4 AND #n5 = :v5 AND #n6 = :v6 AND #n7 = :v7 AND #n8 = :v8',
      );
      expect(out.names).to.deep.equal({
        '#n0': 'NAME', '#n1': 'STATUS', '#n2': 'DATA', '#n3': 'COUNT', '#n4': 'USER',
        '#n5': 'first name', '#n6': 'a#b', '#n7': 'x:y', '#n8': 'naïve名前',
      });
    });

    it('compiles nested paths from keys, strings and literal segments', () => {
      expect(cond({ 'a.b[2].c': 1 })).to.deep.equal({
        text: '#n0.#n1[2].#n2 = :v0', names: { '#n0': 'a', '#n1': 'b', '#n2': 'c' }, values: { ':v0': 1 },
      });
      expect(cond({ 'address.city': { beginsWith: 'Par' } }).text).to.equal('begins_with(#n0.#n1, :v0)');
      expect(cond(attr(path('weird.name', 'x', 0)).eq(1))).to.deep.equal({
        text: '#n0.#n1[0] = :v0', names: { '#n0': 'weird.name', '#n1': 'x' }, values: { ':v0': 1 },
      });
      expect(cond(attr(['a', 1]).exists()).text).to.equal('attribute_exists(#n0[1])');
    });

    it('keeps declared names with dots literal when isAttribute says so', () => {
      const isAttribute = (n: string) => n === 'weird.name';
      expect(cond({ 'weird.name': 1, 'other.x': 2 }, { isAttribute })).to.deep.equal({
        text: '#n0 = :v0 AND #n1.#n2 = :v1',
        names: { '#n0': 'weird.name', '#n1': 'other', '#n2': 'x' },
        values: { ':v0': 1, ':v1': 2 },
      });
      expect(cond(attr('weird.name').exists(), { isAttribute }).names).to.deep.equal({ '#n0': 'weird.name' });
    });

    it('lets resolveName veto unknown top-level attributes', () => {
      const seen: string[] = [];
      const resolveName = (n: string) => {
        seen.push(n);
        if (n !== 'price' && n !== 'address') throw new ExpressionError(`Unknown attribute ${n}`);
      };
      cond({ price: 1, 'address.city': 'x' }, { resolveName });
      expect(seen).to.deep.equal(['price', 'address']);
      expectExpressionError(() => cond(and({ price: 1 }, attr('pricee').eq(1)), { resolveName }), 'pricee');
      expectExpressionError(() => cond(attr('price').lt(attr('bogus')), { resolveName }), 'Unknown attribute bogus');
    });
  });

  describe('mapValue', () => {
    it('converts every operand with its path and operator, but not size counts or type codes', () => {
      const calls: [Path, unknown, string][] = [];
      const mapValue = (p: Path, v: unknown, op: string) => {
        calls.push([p, v, op]);
        return v instanceof Date ? v.toISOString() : v;
      };
      const d = new Date(0);
      const out = cond(
        and(
          { joined: { gt: d }, 'log[0].at': { between: [d, d] }, tags: { contains: 'x', size: { gt: 1 } } },
          attr('kind').in('a', 'b'),
          attr('kind').type('S'),
        ),
        { mapValue },
      );
      expect(out.values).to.deep.equal({
        ':v0': d.toISOString(), ':v1': d.toISOString(), ':v2': d.toISOString(), ':v3': 'x', ':v4': 1,
        ':v5': 'a', ':v6': 'b', ':v7': 'S',
      });
      expect(calls).to.deep.equal([
        [['joined'], d, 'gt'],
        [['log', 0, 'at'], d, 'between'],
        [['log', 0, 'at'], d, 'between'],
        [['tags'], 'x', 'contains'],
        [['kind'], 'a', 'in'],
        [['kind'], 'b', 'in'],
      ]);
    });

    it('rejects a mapValue result of undefined, naming the path', () => {
      expectExpressionError(() => cond({ 'a.b': 1 }, { mapValue: () => undefined }), 'a.b (eq)', 'undefined');
    });
  });

  describe('and / or / not', () => {
    const a = attr('a').eq(1);
    const b = attr('b').eq(2);
    const c = attr('c').eq(3);

    it('wraps OR inside AND', () => {
      expect(cond(and(a, or(b, c))).text).to.equal('#n0 = :v0 AND (#n1 = :v1 OR #n2 = :v2)');
    });

    it('wraps AND inside OR for clarity', () => {
      expect(cond(or(and(a, b), c)).text).to.equal('(#n0 = :v0 AND #n1 = :v1) OR #n2 = :v2');
    });

    it('wraps a multi-entry object inside OR', () => {
      expect(cond(or({ a: 1, b: 2 }, c)).text).to.equal('(#n0 = :v0 AND #n1 = :v1) OR #n2 = :v2');
    });

    it('flattens same-kind nesting', () => {
      expect(cond(and(and(a, b), c)).text).to.equal('#n0 = :v0 AND #n1 = :v1 AND #n2 = :v2');
      expect(cond(or(a, or(b, c))).text).to.equal('#n0 = :v0 OR #n1 = :v1 OR #n2 = :v2');
    });

    it('negates functions bare and everything else in parentheses', () => {
      expect(cond(not(attr('a').exists())).text).to.equal('NOT attribute_exists(#n0)');
      expect(cond(not(a)).text).to.equal('NOT (#n0 = :v0)');
      expect(cond(not(or(a, b))).text).to.equal('NOT (#n0 = :v0 OR #n1 = :v1)');
      expect(cond(not({ a: 1, b: 2 })).text).to.equal('NOT (#n0 = :v0 AND #n1 = :v1)');
      expect(cond(not(not(a))).text).to.equal('NOT (NOT (#n0 = :v0))');
      expect(cond(and(not(a), b)).text).to.equal('NOT (#n0 = :v0) AND #n1 = :v1');
    });

    it('compiles a single-condition and/or to the condition itself', () => {
      expect(cond(and(a)).text).to.equal('#n0 = :v0');
      expect(cond(or({ a: 1 })).text).to.equal('#n0 = :v0');
    });

    it('mixes builders and object forms', () => {
      expect(cond(and({ a: 1 }, or(attr('b').gt(2), not({ c: { exists: true } }))))).to.deep.equal({
        text: '#n0 = :v0 AND (#n1 > :v1 OR NOT attribute_exists(#n2))',
        names: { '#n0': 'a', '#n1': 'b', '#n2': 'c' },
        values: { ':v0': 1, ':v1': 2 },
      });
    });

    it('builds frozen nodes that compile the same way every time', () => {
      const guard = and({ version: 3 }, attr('lock').notExists());
      expect(Object.isFrozen(guard)).to.equal(true);
      expect(cond(guard)).to.deep.equal(cond(guard));
    });
  });

  describe('condition errors', () => {
    it('rejects empty and() and or()', () => {
      expectExpressionError(() => and(), 'and() needs at least one condition');
      expectExpressionError(() => or(), 'or() needs at least one condition');
    });

    it('rejects an empty condition object', () => {
      expectExpressionError(() => cond({}), 'Empty condition');
      expectExpressionError(() => cond(and({ a: 1 }, {})), 'Empty condition');
    });

    it('rejects IN with no or more than 100 values', () => {
      expectExpressionError(() => cond(attr('a').in()), 'a in: needs 1 to 100 values, got 0');
      const many = Array.from({ length: 101 }, (_, i) => i);
      expectExpressionError(() => cond({ a: { in: many } }), 'got 101');
    });

    it('rejects undefined operands, naming the attribute', () => {
      expectExpressionError(() => cond({ coupon: undefined }), 'coupon', 'absent');
      expectExpressionError(() => cond({ price: { gt: undefined } }), 'price gt', 'undefined');
      expectExpressionError(() => cond(attr('x.y').eq(undefined)), 'x.y (eq)');
    });

    it('rejects bad operator operands', () => {
      expectExpressionError(() => cond({ a: { between: [1] } }), 'a between', '[low, high]');
      expectExpressionError(() => cond({ a: { in: 1 } }), 'a in');
      expectExpressionError(() => cond({ a: { beginsWith: 5 } }), 'a beginsWith', 'string or binary');
      expectExpressionError(() => cond({ a: { exists: 'yes' } }), 'a exists');
      expectExpressionError(() => cond({ a: { type: 'X' } }), 'a type', '"X"');
      expectExpressionError(() => cond({ a: { size: { gt: -1 } } }), 'a size gt', 'non-negative integer');
      expectExpressionError(() => cond({ a: { size: { gt: 'x' } } }), 'a size gt');
      expectExpressionError(() => cond({ a: { size: { near: 1 } } }), 'a size', 'unknown comparator');
      expectExpressionError(() => cond({ a: { size: {} } }), 'a size');
      expectExpressionError(() => cond({ a: { eq: new Set() } }), 'empty set');
    });

    it('rejects bad paths, naming them', () => {
      expectExpressionError(() => cond({ 'a..b': 1 }), 'Invalid path "a..b"');
      expectExpressionError(() => cond(attr('a[').eq(1)), 'Invalid path "a["');
      expectExpressionError(() => cond(attr(['a', -1]).eq(1)), 'non-negative integer');
    });

    it('rejects things that are not conditions', () => {
      expectExpressionError(() => cond(null as never), 'Invalid condition');
      expectExpressionError(() => cond([] as never), 'Invalid condition');
    });
  });

  describe('key conditions', () => {
    it('compiles partition equality alone', () => {
      expect(key({ hash: ['NAME', 'alice'] })).to.deep.equal({
        text: '#n0 = :v0', names: { '#n0': 'NAME' }, values: { ':v0': 'alice' },
      });
    });

    const ranges: [KeyConditionInput['range'], string, Record<string, unknown>][] = [
      [['at', 'eq', 1], '#n1 = :v1', { ':v1': 1 }],
      [['at', 'lt', 1], '#n1 < :v1', { ':v1': 1 }],
      [['at', 'le', 1], '#n1 <= :v1', { ':v1': 1 }],
      [['at', 'gt', 1], '#n1 > :v1', { ':v1': 1 }],
      [['at', 'ge', 1], '#n1 >= :v1', { ':v1': 1 }],
      [['at', 'between', 1, 2], '#n1 BETWEEN :v1 AND :v2', { ':v1': 1, ':v2': 2 }],
      [['at', 'beginsWith', 'Re:'], 'begins_with(#n1, :v1)', { ':v1': 'Re:' }],
      [['at', { ge: 1 }], '#n1 >= :v1', { ':v1': 1 }],
      [['at', { between: [1, 2] }], '#n1 BETWEEN :v1 AND :v2', { ':v1': 1, ':v2': 2 }],
      [['at', { beginsWith: 'Re:' }], 'begins_with(#n1, :v1)', { ':v1': 'Re:' }],
    ];
    for (const [range, text, values] of ranges) {
      it(`compiles range ${JSON.stringify(range)}`, () => {
        expect(key({ hash: ['pk', 'p'], range })).to.deep.equal({
          text: `#n0 = :v0 AND ${text}`,
          names: { '#n0': 'pk', '#n1': 'at' },
          values: { ':v0': 'p', ...values },
        });
      });
    }

    it('keeps key names literal and passes [name] to mapValue', () => {
      const attrs = new ExpressionAttributes();
      const calls: unknown[] = [];
      const text = compileKeyCondition({ hash: ['a.b', 1], range: ['c[0]', 'gt', 2] }, attrs, {
        mapValue: (p, v, op) => (calls.push([p, v, op]), String(v)),
      });
      expect(text).to.equal('#n0 = :v0 AND #n1 > :v1');
      expect(attrs.names).to.deep.equal({ '#n0': 'a.b', '#n1': 'c[0]' });
      expect(attrs.values).to.deep.equal({ ':v0': '1', ':v1': '2' });
      expect(calls).to.deep.equal([[['a.b'], 1, 'eq'], [['c[0]'], 2, 'gt']]);
    });

    it('refuses operators a sort key cannot take', () => {
      for (const op of ['ne', 'contains', 'in', 'exists']) {
        expectExpressionError(() => key({ hash: ['pk', 1], range: ['sk', op as never, 1] }), 'sk', `"${op}"`, 'not allowed');
      }
      expectExpressionError(() => key({ hash: ['pk', 1], range: ['sk', { ne: 1 } as never] }), '"ne"');
    });

    it('refuses malformed key conditions', () => {
      expectExpressionError(() => key({ hash: ['pk', 1], range: ['sk', 'between', 1] }), 'between takes 2 operands, got 1');
      expectExpressionError(() => key({ hash: ['pk', 1], range: ['sk', 'eq'] }), 'eq takes 1 operand, got 0');
      expectExpressionError(() => key({ hash: ['pk', 1], range: ['sk', { gt: 1, lt: 2 } as never] }), 'exactly one operator', 'gt, lt');
      expectExpressionError(() => key({ hash: ['pk', 1], range: ['sk', 'beginsWith', 5] }), 'string or binary');
      expectExpressionError(() => key({ hash: ['', 1] }), 'partition key name');
      expectExpressionError(() => key({ hash: ['pk', undefined] }), 'pk (eq)', 'undefined');
      expectExpressionError(() => key({ hash: ['pk', null] }), 'pk (eq)', 'null');
      expectExpressionError(() => key({ hash: ['pk', 1], range: ['', 'eq', 1] }), 'sort key name');
    });
  });

  describe('projections', () => {
    it('compiles names and nested paths through placeholders', () => {
      const attrs = new ExpressionAttributes();
      expect(compileProjection(['NAME', 'a.b[0]', ['weird.name'], 'DATA'], attrs)).to.equal('#n0, #n1.#n2[0], #n3, #n4');
      expect(attrs.names).to.deep.equal({ '#n0': 'NAME', '#n1': 'a', '#n2': 'b', '#n3': 'weird.name', '#n4': 'DATA' });
      expect(attrs.values).to.equal(undefined);
    });

    it('drops repeats and paths inside other requested paths', () => {
      const attrs = new ExpressionAttributes();
      expect(compileProjection(['a.b', 'a', 'c', 'c', 'd[0]', 'd[1]'], attrs)).to.equal('#n0, #n1, #n2[0], #n2[1]');
      expect(attrs.names).to.deep.equal({ '#n0': 'a', '#n1': 'c', '#n2': 'd' });
    });

    it('uses isAttribute and resolveName', () => {
      const attrs = new ExpressionAttributes();
      expect(compileProjection(['x.y'], attrs, { isAttribute: (n) => n === 'x.y' })).to.equal('#n0');
      expect(attrs.names).to.deep.equal({ '#n0': 'x.y' });
      expectExpressionError(() => compileProjection(['nope'], new ExpressionAttributes(), {
        resolveName: (n) => { throw new ExpressionError(`Unknown attribute ${n}`); },
      }), 'Unknown attribute nope');
    });

    it('rejects an empty projection and bad paths', () => {
      expectExpressionError(() => compileProjection([], new ExpressionAttributes()), 'at least one path');
      expectExpressionError(() => compileProjection(['a]'], new ExpressionAttributes()), 'Invalid path "a]"');
    });
  });

  describe('updates', () => {
    it('compiles each action', () => {
      const s = new Set(['x']);
      expect(upd([set('a', 1)])).to.deep.equal({ text: 'SET #n0 = :v0', names: { '#n0': 'a' }, values: { ':v0': 1 } });
      expect(upd([setIfNotExists('a', 1)]).text).to.equal('SET #n0 = if_not_exists(#n0, :v0)');
      expect(upd([remove('a')])).to.deep.equal({ text: 'REMOVE #n0', names: { '#n0': 'a' }, values: undefined });
      expect(upd([add('n', 2)])).to.deep.equal({ text: 'ADD #n0 :v0', names: { '#n0': 'n' }, values: { ':v0': 2 } });
      expect(upd([add('tags', s)]).values).to.deep.equal({ ':v0': s });
      expect(upd([deleteFromSet('tags', s)])).to.deep.equal({
        text: 'DELETE #n0 :v0', names: { '#n0': 'tags' }, values: { ':v0': s },
      });
      expect(upd([append('l', [1])])).to.deep.equal({
        text: 'SET #n0 = list_append(#n0, :v0)', names: { '#n0': 'l' }, values: { ':v0': [1] },
      });
      expect(upd([prepend('l', [1])]).text).to.equal('SET #n0 = list_append(:v0, #n0)');
      expect(upd([append('l', [1], { ifNotExists: true })])).to.deep.equal({
        text: 'SET #n0 = list_append(if_not_exists(#n0, :v0), :v1)', names: { '#n0': 'l' }, values: { ':v0': [], ':v1': [1] },
      });
      expect(upd([prepend('l', [1], { ifNotExists: true })]).text)
        .to.equal('SET #n0 = list_append(:v0, if_not_exists(#n0, :v1))');
      expect(upd([increment('n')])).to.deep.equal({ text: 'SET #n0 = #n0 + :v0', names: { '#n0': 'n' }, values: { ':v0': 1 } });
      expect(upd([increment('n', -2, { initial: 0 })])).to.deep.equal({
        text: 'SET #n0 = if_not_exists(#n0, :v0) + :v1', names: { '#n0': 'n' }, values: { ':v0': 0, ':v1': -2 },
      });
    });

    it('orders clauses SET, REMOVE, ADD, DELETE and keeps action order within a clause', () => {
      const s = new Set([1]);
      expect(upd([deleteFromSet('d', s), add('c', 1), remove('b'), set('STATUS', 'x'), increment('COUNT', 1), remove('e')]))
        .to.deep.equal({
          text: 'SET #n0 = :v0, #n1 = #n1 + :v1 REMOVE #n2, #n3 ADD #n4 :v2 DELETE #n5 :v3',
          names: { '#n0': 'STATUS', '#n1': 'COUNT', '#n2': 'b', '#n3': 'e', '#n4': 'c', '#n5': 'd' },
          values: { ':v0': 'x', ':v1': 1, ':v2': 1, ':v3': s },
        });
    });

    it('updates nested paths and odd names', () => {
      expect(upd([set('a.b[2].c', 1), remove(path('weird.name', 0)), set('naïve 名', true)])).to.deep.equal({
        text: 'SET #n0.#n1[2].#n2 = :v0, #n3 = :v1 REMOVE #n4[0]',
        names: { '#n0': 'a', '#n1': 'b', '#n2': 'c', '#n3': 'naïve 名', '#n4': 'weird.name' },
        values: { ':v0': 1, ':v1': true },
      });
      expect(upd([remove('l[0]'), remove('l[1]')]).text).to.equal('REMOVE #n0[0], #n0[1]');
    });

    it('passes operands through mapValue with path and operator', () => {
      const calls: unknown[] = [];
      const d = new Date(0);
      const out = upd([set('at', d), add('n', 1)], {
        mapValue: (p, v, op) => (calls.push([p, v, op]), v instanceof Date ? v.getTime() : v),
      });
      expect(out.values).to.deep.equal({ ':v0': 0, ':v1': 1 });
      expect(calls).to.deep.equal([[['at'], d, 'set'], [['n'], 1, 'add']]);
    });

    it('rejects the same path twice, naming it', () => {
      expectExpressionError(() => upd([set('a', 1), remove('a')]), 'same path', 'a (set)', 'a (remove)');
      expectExpressionError(() => upd([increment('n'), add('n', 1)]), 'n (increment)', 'n (add)');
    });

    it('rejects overlapping paths, naming both', () => {
      expectExpressionError(() => upd([set('a.b', 1), remove('a')]), 'overlapping paths', 'a.b (set)', 'a (remove)');
      expectExpressionError(() => upd([set('l[0]', 1), append('l', [2])]), 'l[0] (set)', 'l (append)');
    });

    it('rejects malformed actions', () => {
      expectExpressionError(() => upd([]), 'at least one action');
      expectExpressionError(() => upd([set('a', undefined)]), 'a (set)', 'undefined');
      expectExpressionError(() => upd([add('a', [1] as never)]), 'ADD takes a number or a set', 'append');
      expectExpressionError(() => upd([add('a', 'x' as never)]), 'ADD takes a number or a set');
      expectExpressionError(() => upd([add('a', new Set())]), 'empty set');
      expectExpressionError(() => upd([deleteFromSet('a', [1] as never)]), 'DELETE takes a set');
      expectExpressionError(() => upd([append('a', 'x' as never)]), 'expected a list');
      expectExpressionError(() => upd([increment('a', Number.NaN)]), 'by must be a finite number');
      expectExpressionError(() => upd([increment('a', 1, { initial: 'x' as never })]), 'initial must be a finite number');
      expectExpressionError(() => upd([{ kind: 'nope' } as never]), 'Unknown update action nope');
      expectExpressionError(() => upd([set('a..b', 1)]), 'Invalid path "a..b"');
    });

    it('lets resolveName veto unknown attributes', () => {
      expectExpressionError(() => upd([set('a', 1)], {
        resolveName: (n) => { throw new ExpressionError(`Unknown attribute ${n}`); },
      }), 'Unknown attribute a');
    });
  });

  describe('one allocator per request', () => {
    it('shares placeholders between an update and its condition', () => {
      const attrs = new ExpressionAttributes();
      const update = compileUpdate([set('balance', 150), remove('coupon'), increment('version')], attrs);
      const condition = compileCondition({ balance: 200, coupon: absent, version: 3 }, attrs);
      expect(update).to.equal('SET #n0 = :v0, #n1 = #n1 + :v1 REMOVE #n2');
      expect(condition).to.equal('#n0 = :v2 AND attribute_not_exists(#n2) AND #n1 = :v3');
      expect(attrs.toParams()).to.deep.equal({
        ExpressionAttributeNames: { '#n0': 'balance', '#n1': 'version', '#n2': 'coupon' },
        ExpressionAttributeValues: { ':v0': 150, ':v1': 1, ':v2': 200, ':v3': 3 },
      });
    });

    it('shares placeholders across a query key condition, filter and projection', () => {
      const attrs = new ExpressionAttributes();
      const keyText = compileKeyCondition({ hash: ['forum_name', 'AWS'], range: ['subject', 'beginsWith', 'Re:'] }, attrs);
      const filter = compileCondition(or({ STATUS: 'open' }, attr('tags').contains('x')), attrs);
      const projection = compileProjection(['subject', 'STATUS', 'user.NAME'], attrs);
      expect(keyText).to.equal('#n0 = :v0 AND begins_with(#n1, :v1)');
      expect(filter).to.equal('#n2 = :v2 OR contains(#n3, :v3)');
      expect(projection).to.equal('#n1, #n2, #n4.#n5');
      expect(attrs.names).to.deep.equal({
        '#n0': 'forum_name', '#n1': 'subject', '#n2': 'STATUS', '#n3': 'tags', '#n4': 'user', '#n5': 'NAME',
      });
      expect(attrs.values).to.deep.equal({ ':v0': 'AWS', ':v1': 'Re:', ':v2': 'open', ':v3': 'x' });
    });
  });
});
