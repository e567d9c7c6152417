/**
 * Compile-time tests of dynagraph/graphql: compiled by `npm run typecheck`, never run. Each
 * `@ts-expect-error` line must fail to compile; `expectType` pins inferred types exactly.
 */
import { graphqlSchema, type GraphQLContext } from '../../src/graphql/index.js';
import type { Session } from '../../src/index.js';
import { Forum, Thread, User } from '../../examples/forum/models.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when `T` is exactly `U`. */
declare function expectType<T>(): <U>(value: U, ...check: Equal<T, U> extends true ? [] : [never]) => void;

graphqlSchema({
  models: {
    Forum,
    Thread: {
      model: Thread,
      computed: {
        // The source of a computed field is the model's instance, inferred from `model`.
        loud: { type: 'String!', resolve: (t, _args, ctx) => { expectType<Thread>()(t); expectType<Session>()(ctx.session); return t.subject.toUpperCase(); } },
        // @ts-expect-error: Thread has no attribute or edge "nope"
        bad: { type: 'String', resolve: (t) => t.nope },
      },
    },
    User: { model: User, limits: { maxFirst: 10 } },
  },
  mutations: { ping: { type: 'String!', resolve: (_args, ctx: GraphQLContext) => ctx.db.tableName(Forum.schema) } },
});

// @ts-expect-error: a model entry is a model class or { model, ... }, not a string
graphqlSchema({ models: { Forum: 'Forum' } });

// @ts-expect-error: hide takes attribute and edge names as strings
graphqlSchema({ models: { Forum: { model: Forum, hide: [1] } } });

// @ts-expect-error: limits take numbers
graphqlSchema({ models: { Forum }, limits: { maxFirst: '100' } });
