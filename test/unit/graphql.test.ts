/**
 * dynagraph/graphql pieces that need no database: the edge adapter (anything with `page` is
 * a connection), connection argument checks, the request estimate of queries of several
 * shapes, and the mapping of every kind of error to a code without internals.
 */
import { expect } from 'chai';
import { GraphQLError } from 'graphql';
import { edgeKindOf, edgesOf, graphqlSchema, toGraphQLError } from '../../src/graphql/index.js';
import { pageRequest } from '../../src/graphql/connection.js';
import { plural } from '../../src/graphql/schema.js';
import { DynamoDBError, InvalidCursorError, MissingTargetError, SchemaError, TransactionCanceledError, ValidationError } from '../../src/index.js';
import { Forum, Reply, Thread, User } from '../../examples/forum/models.js';

describe('graphql (unit)', () => {
  it('recognises edges through one adapter: page → connection, load → to-one, else none', () => {
    expect(edgeKindOf({ page: async () => ({ items: [], cursor: undefined }), load: async () => [] })).to.equal('many');
    expect(edgeKindOf({ load: async () => null })).to.equal('one');
    for (const v of [null, undefined, 3, 'x', {}, { page: 1 }]) expect(edgeKindOf(v)).to.equal(undefined);
    expect(edgesOf(Thread).map((e) => [e.field, e.kind, e.reads])).to.deep.equal([['forum', 'one', 1], ['user', 'one', 1], ['replies', 'many', 1], ['tags', 'many', 2]]);
    // user.threads reads a keys-only index: a Query and a BatchGetItem per page.
    expect(edgesOf(User).map((e) => [e.field, e.reads])).to.deep.equal([['threads', 2], ['replies', 1]]);
  });

  it('checks connection arguments before anything is read', () => {
    expect(pageRequest({})).to.deep.equal({ size: 20, backward: false, cursor: undefined });
    expect(pageRequest({ last: 3, before: 'c' }, { maxFirst: 5 })).to.deep.equal({ size: 3, backward: true, cursor: 'c' });
    expect(pageRequest({ before: 'c' }, { defaultFirst: 7 })).to.deep.equal({ size: 7, backward: true, cursor: 'c' });
    const bad: [object, RegExp][] = [
      [{ first: 1, last: 1 }, /not both/], [{ after: 'a', before: 'b' }, /not both/], [{ first: 2, before: 'b' }, /use last/],
      [{ last: 2, after: 'a' }, /use first/], [{ first: 0 }, /first must be a whole number from 1 to 100, got 0/], [{ last: 101 }, /last must be/],
      [{ first: 1.5 }, /whole number/], [{ after: '' }, /must not be empty/],
    ];
    for (const [args, message] of bad) {
      expect(() => pageRequest(args), JSON.stringify(args)).to.throw(GraphQLError, message);
      try { pageRequest(args); } catch (err) { expect((err as GraphQLError).extensions.code).to.equal('BAD_USER_INPUT'); }
    }
  });

  it('estimates requests per level: gets, batched to-one fields, connections × their page size, counts, fragments', () => {
    const api = graphqlSchema({ models: { Forum, User, Thread, Reply }, limits: { defaultFirst: 10 } });
    const cases: [string, number][] = [
      ['{ forum(name: "f") { name } }', 1],
      // get 1 + threads 1 + authors ⌈10/100⌉ + 10 reply queries + reply authors ⌈50/100⌉
      ['{ forum(name: "f") { threads(first: 10) { edges { node { user { name } replies(first: 5) { edges { node { user { name } } } } } } } } }', 14],
      ['{ forum(name: "f") { threads { totalCount edges { node { subject } } } } }', 3],
      // user.threads: keys-only index, 2 per parent
      ['{ user(name: "u") { threads(last: 3) { edges { node { replies(first: 2) { pageInfo { hasNextPage } } } } } } }', 1 + 2 + 3],
      ['query { threads(forum_name: "f", first: 100) { edges { node { ...T } } } } fragment T on Thread { user { name } forum { name } }', 1 + 1 + 1],
      ['{ a: forum(name: "a") { name } b: forum(name: "b") { threads(first: 2) { edges { node { ... on Thread { replies(first: 3) { edges { cursor } } } } } } } }', 1 + 1 + 1 + 2],
    ];
    for (const [query, expected] of cases) expect(api.estimate(query), query).to.equal(expected);
    expect(api.estimate('query($n: Int) { forum(name: "f") { threads(first: $n) { edges { node { replies { edges { cursor } } } } } } }', { n: 7 })).to.equal(1 + 1 + 7);
    expect(api.estimate('{ nope }')).to.equal(undefined);
  });

  it('refuses a configuration that cannot be a schema, naming what is wrong', () => {
    expect(() => graphqlSchema({ models: { 'Bad-Name': Forum } })).to.throw(SchemaError, /"Bad-Name" is not a GraphQL name/);
    expect(() => graphqlSchema({ models: { Forum: { model: Forum, edges: ['nope'] } } })).to.throw(SchemaError, /Forum has no edge "nope"/);
    expect(() => graphqlSchema({ models: { Thread: { model: Thread, query: 'x', indexes: { byUser: 'x' } } } })).to.throw(SchemaError, /two root fields are named "x"/);
    expect(() => graphqlSchema({ models: { Forum: { model: Forum, computed: { c: { type: 'Nope', resolve: () => 1 } } } } }).schema.getTypeMap()).to.throw(SchemaError, /unknown GraphQL type "Nope"/);
    expect(plural('Reply')).to.equal('replies');
    expect(plural('Box')).to.equal('boxes');
    expect(plural('Day')).to.equal('days');
  });

  it('maps errors to codes: client errors keep their message, server errors keep none of their internals', () => {
    const invalid = toGraphQLError(new InvalidCursorError('malformed'));
    expect([invalid.message, invalid.extensions.code]).to.deep.equal(['invalid cursor: malformed', 'INVALID_CURSOR']);
    expect(toGraphQLError(new ValidationError('Thread', [{ path: 'subject', message: 'must not be empty' }])).extensions.code).to.equal('VALIDATION');
    const seen: unknown[] = [];
    const sdk = Object.assign(new Error('User: arn:aws:iam::123456789012 is not authorized on table prod-secret-users'), { name: 'AccessDeniedException' });
    const denied = toGraphQLError(new DynamoDBError('DYNAMODB_ERROR', 'Query', 'prod-secret-users', sdk), (e) => seen.push(e));
    expect(denied.extensions.code).to.equal('DYNAMODB_ERROR');
    expect(denied.message).to.equal('the request failed on the server');
    expect(seen).to.have.length(1);
    const throttled = toGraphQLError(new DynamoDBError('THROTTLED', 'Query', 'prod-secret-users', sdk));
    expect([throttled.message, throttled.extensions.code]).to.deep.equal(['the database is busy; try again shortly', 'THROTTLED']);
    const internal = toGraphQLError(new TypeError("Cannot read properties of undefined (reading 'x') at /srv/app.js"), (e) => seen.push(e));
    expect([internal.message, internal.extensions.code]).to.deep.equal(['internal server error', 'INTERNAL_SERVER_ERROR']);
    expect(seen).to.have.length(2);
    // A canceled transaction names the failed action in words, not "[1] check User: ConditionalCheckFailed".
    const canceled = toGraphQLError(new TransactionCanceledError([{ index: 1, action: 'check', model: 'User', code: 'ConditionalCheckFailed', versionConflict: false }], 'token'));
    expect([canceled.message, canceled.extensions.code]).to.deep.equal(['the write was not made: the check of User: its condition failed', 'TRANSACTION_CANCELED']);
    expect(canceled.extensions.reasons).to.deep.equal([{ action: 'check', model: 'User', reason: 'ConditionalCheckFailed' }]);
    const restricted = toGraphQLError(new MissingTargetError('Reply.thread', 'Thread', { forum_name: 'f', subject: 's' }));
    expect([restricted.extensions.code, restricted.message]).to.deep.equal(['TARGET_NOT_FOUND', 'Reply.thread: no Thread {"forum_name":"f","subject":"s"}; nothing was written']);
  });
});
