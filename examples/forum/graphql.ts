/**
 * The forum's GraphQL API, generated from its models by `dynagraph/graphql`: what is left
 * here is configuration — the forum list as a scan, tags by name, the two writes as
 * mutations. Every request gets its own session (`forumApi.context(db)`), so each level of
 * a query is one batched round trip; connections are Relay connections.
 */
import { graphqlSchema } from '../../src/graphql/index.js';
import { postReply, postThread } from './mutations.js';
import { Forum, Reply, Tag, Thread, User } from './models.js';

const post = { forum: 'String!', subject: 'String!', user: 'String!', message: 'String!' };

/** The forum's generated GraphQL API. */
export const forumApi = graphqlSchema({
  models: {
    Forum: { model: Forum, get: 'forum', scan: 'forums' },
    User: { model: User },
    // replyCount is an attribute kept by Thread.replies (its counter): no request.
    Thread: { model: Thread },
    Reply: { model: Reply },
    Tag: { model: Tag, get: 'tag' },
  },
  mutations: {
    postThread: { type: 'Thread!', args: post, cost: 1, resolve: (args, { session }) => postThread(session, args) },
    postReply: { type: 'Reply!', args: post, cost: 1, resolve: (args, { session }) => postReply(session, args) },
  },
  limits: { defaultFirst: 10, maxFirst: 100 },
  maxRequests: 1000,
  onInternalError: (err) => console.error(err),
});

/** The forum's GraphQL schema. */
export const forumSchema = forumApi.schema;
