/**
 * Compile-time tests of the typed condition forms: compiled by `tsc`, never
 * run. Each `@ts-expect-error` line must fail to compile; the rest must compile.
 */
import {
  absent, and, attr, not, or, path,
  type Condition, type ConditionNode, type ConditionObject, type RangeCondition,
} from '../../src/expressions/index.js';

interface Product {
  name: string;
  price: number;
  tags: Set<string>;
  sizes: number[];
  status: 'draft' | 'live';
  coupon?: string;
  created: Date;
  active: boolean;
  address: { city: string; zip: string };
}

class ProductItem {
  name = '';
  price = 0;
  save(): void {}
}

declare function filter(c: Condition<Product>): void;
declare function filterItem(c: Condition<ProductItem>): void;

// ---- valid usages ----
const ok: ConditionObject<Product> = {
  price: { gt: 5 },
  tags: { contains: 'x' },
  name: 'bob',
  coupon: { exists: false },
  'address.city': { beginsWith: 'Par' },
  'sizes[0]': 3,
  status: { in: ['draft', 'live'] },
  created: { between: [new Date(0), new Date()] },
  active: true,
  address: { city: 'Paris', zip: '75001' },
};
void ok;
filter({ price: { gt: 1, lt: 10 }, name: { size: { gt: 3 } }, tags: { size: { between: [1, 5] } } });
filter({ coupon: absent });
filter({ sizes: { contains: 2 } });
filter({ name: { beginsWith: 'a' }, status: 'live', price: { type: 'N' } });
filter(and({ price: { ge: 1 } }, or(attr('price').gt(2), not({ coupon: { exists: true } }))));
filter(attr(path('weird.name', 0)).eq(1));
filterItem({ name: 'x', price: { le: 3 } });
filterItem(and({ price: 1 }));
const untyped: Condition = { anything: 1, 'a.b': { gt: 2 }, c: { beginsWith: 'x' } };
void untyped;
const loose = and(attr('x').eq(1));
filter(loose); // an untyped node fits a typed slot
const typed: ConditionNode<Product> = and<Product>({ price: 1 });
filter(typed);
const range1: RangeCondition<string> = { beginsWith: 'Re:' };
const range2: RangeCondition<number> = { between: [1, 2] };
void range1;
void range2;

// ---- misuse that must not compile ----
// @ts-expect-error unknown top-level attribute (typo)
filter({ pricee: 5 });
// @ts-expect-error operand type follows the attribute: price is a number
filter({ price: { gt: 'x' } });
// @ts-expect-error beginsWith is for strings and binaries
filter({ price: { beginsWith: '1' } });
// @ts-expect-error bare value of the wrong type
filter({ name: 5 });
// @ts-expect-error literal union: not a status
filter({ status: 'deleted' });
// @ts-expect-error contains takes an element of the set
filter({ tags: { contains: 1 } });
// @ts-expect-error ordering a boolean is meaningless
filter({ active: { gt: true } });
// @ts-expect-error size of a number is a DynamoDB runtime error
filter({ price: { size: { gt: 1 } } });
// @ts-expect-error not a DynamoDB type code
filter({ price: { type: 'X' } });
// @ts-expect-error unknown operator inside an operator object
filter({ price: { greater: 1 } });
// @ts-expect-error typos are caught inside and() too (T inferred from where the result goes)
filter(and({ pricee: 1 }, attr('b').gt(2)));
// @ts-expect-error and nested in or()/not()
filter(or(not({ price: { gt: 'x' } })));
// @ts-expect-error methods of an item class are not attributes
filterItem({ save: 1 });
// @ts-expect-error explicit item type on a builder
and<Product>({ price: { lt: 'cheap' } });
// @ts-expect-error a range condition has exactly one operator
const badRange1: RangeCondition<number> = { gt: 1, lt: 5 };
// @ts-expect-error beginsWith on a numeric sort key
const badRange2: RangeCondition<number> = { beginsWith: '1' };
// @ts-expect-error between takes a pair
const badRange3: RangeCondition<number> = { between: [1] };
interface Order {
  total: number;
}
declare function filterOrder(c: Condition<Order>): void;
// @ts-expect-error a node built for one item type does not fit another
filterOrder(typed);
// @ts-expect-error not even wrapped in and()
filterOrder(and(typed));
void badRange1;
void badRange2;
void badRange3;
