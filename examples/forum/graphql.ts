/**
 * A GraphQL API over the forum models. Every HTTP request gets its own dynagraph session
 * (the context), so every relationship a query touches at one depth is loaded in one
 * batched round trip; to-many edges are Relay-style connections with cursors.
 */
import { GraphQLBoolean, GraphQLError, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, type GraphQLFieldConfig } from 'graphql';
import { DynagraphError, type Dynagraph, type Page, type Session } from '../../src/index.js';
import { postReply, postThread } from './mutations.js';
import { Forum, Reply, Tag, Thread, User } from './models.js';

/** The per-request context: one session. */
export type ForumContext = {
  session: Session;
  db: Dynagraph;
};

const NonNullString = new GraphQLNonNull(GraphQLString);

/** Turns our typed errors into GraphQL errors with their code, never a crash. */
function guard<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((err: unknown) => {
    if (err instanceof DynagraphError) throw new GraphQLError(err.message, { extensions: { code: err.code } });
    throw err;
  });
}

const PageInfo = new GraphQLObjectType({
  name: 'PageInfo',
  fields: { endCursor: { type: GraphQLString }, hasNextPage: { type: new GraphQLNonNull(GraphQLBoolean) } },
});

function connection(name: string, node: () => GraphQLObjectType): GraphQLObjectType {
  return new GraphQLObjectType({
    name: `${name}Connection`,
    fields: () => ({
      edges: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(new GraphQLObjectType({ name: `${name}Edge`, fields: () => ({ node: { type: new GraphQLNonNull(node()) } }) })))) },
      pageInfo: { type: new GraphQLNonNull(PageInfo) },
    }),
  });
}

function asConnection<T>(page: Page<T>): { edges: { node: T }[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } {
  return { edges: page.items.map((node) => ({ node })), pageInfo: { endCursor: page.cursor ?? null, hasNextPage: page.cursor !== undefined } };
}

/** A connection field over a to-many or many-to-many edge: `replies(first: 5, after: "…")`. */
function edgeField<S>(type: () => GraphQLObjectType, edge: (source: S) => { page(o: { limit: number; cursor?: string; reverse?: boolean }): Promise<Page<unknown>> }, defaultFirst = 10): GraphQLFieldConfig<S, ForumContext, { first: number; after?: string; latest?: boolean }> {
  return {
    type: new GraphQLNonNull(type()),
    args: { first: { type: GraphQLInt, defaultValue: defaultFirst }, after: { type: GraphQLString }, latest: { type: GraphQLBoolean, defaultValue: false } },
    resolve: (source, { first, after, latest }) => guard(async () => {
      if (!Number.isInteger(first) || first < 1 || first > 100) throw new GraphQLError('first must be between 1 and 100', { extensions: { code: 'BAD_USER_INPUT' } });
      return asConnection(await edge(source).page({ limit: first, cursor: after ?? undefined, reverse: latest }));
    }),
  };
}

const ForumType: GraphQLObjectType = new GraphQLObjectType<Forum, ForumContext>({
  name: 'Forum',
  fields: () => ({
    name: { type: NonNullString },
    category: { type: NonNullString },
    threads: edgeField<Forum>(() => ThreadConnection, (f) => f.threads, 20),
  }),
});

const UserType: GraphQLObjectType = new GraphQLObjectType<User, ForumContext>({
  name: 'User',
  fields: () => ({
    name: { type: NonNullString },
    email: { type: GraphQLString },
    joined: { type: NonNullString, resolve: (u) => u.joined.toISOString() },
    threads: edgeField<User>(() => ThreadConnection, (u) => u.threads),
    replies: edgeField<User>(() => ReplyConnection, (u) => u.replies),
  }),
});

const ThreadType: GraphQLObjectType = new GraphQLObjectType<Thread, ForumContext>({
  name: 'Thread',
  fields: () => ({
    forum: { type: ForumType, resolve: (t) => guard(() => t.forum.load()) },
    subject: { type: NonNullString },
    message: { type: NonNullString },
    views: { type: new GraphQLNonNull(GraphQLInt) },
    // Many-to-many: the tags of every thread at this depth in one round (adjacency Queries, then one BatchGetItem).
    tags: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(TagType))), resolve: (t) => guard(() => t.tags.load()) },
    posted: { type: NonNullString, resolve: (t) => t.posted.toISOString() },
    user: { type: UserType, resolve: (t) => guard(() => t.user.load()) },
    // The counter kept by Thread.replies: no request.
    replyCount: { type: new GraphQLNonNull(GraphQLInt), resolve: (t) => t.replyCount },
    replies: edgeField<Thread>(() => ReplyConnection, (t) => t.replies),
  }),
});

const ReplyType: GraphQLObjectType = new GraphQLObjectType<Reply, ForumContext>({
  name: 'Reply',
  fields: () => ({
    thread: { type: ThreadType, resolve: (r) => guard(() => r.thread.load()) },
    posted: { type: NonNullString, resolve: (r) => r.posted.toISOString() },
    message: { type: NonNullString },
    user: { type: UserType, resolve: (r) => guard(() => r.user.load()) },
  }),
});

const TagType: GraphQLObjectType = new GraphQLObjectType<Tag, ForumContext>({
  name: 'Tag',
  fields: () => ({
    name: { type: NonNullString },
    threads: edgeField<Tag>(() => ThreadConnection, (t) => t.threads),
  }),
});

const ThreadConnection = connection('Thread', () => ThreadType);
const ReplyConnection = connection('Reply', () => ReplyType);

const QueryType = new GraphQLObjectType<unknown, ForumContext>({
  name: 'Query',
  fields: {
    forums: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(ForumType))), resolve: (_s, _a, { session }) => guard(() => session.scan(Forum).all()) },
    forum: { type: ForumType, args: { name: { type: NonNullString } }, resolve: (_s, { name }, { session }) => guard(() => session.get(Forum, { name })) },
    thread: {
      type: ThreadType,
      args: { forum: { type: NonNullString }, subject: { type: NonNullString } },
      resolve: (_s, { forum, subject }, { session }) => guard(() => session.get(Thread, { forum_name: forum, subject })),
    },
    user: { type: UserType, args: { name: { type: NonNullString } }, resolve: (_s, { name }, { session }) => guard(() => session.get(User, { name })) },
    tag: { type: TagType, args: { name: { type: NonNullString } }, resolve: (_s, { name }, { session }) => guard(() => session.get(Tag, { name })) },
  },
});

const MutationType = new GraphQLObjectType<unknown, ForumContext>({
  name: 'Mutation',
  fields: {
    postThread: {
      type: new GraphQLNonNull(ThreadType),
      args: { forum: { type: NonNullString }, subject: { type: NonNullString }, user: { type: NonNullString }, message: { type: NonNullString } },
      resolve: (_s, args, { session }) => guard(() => postThread(session, args)),
    },
    postReply: {
      type: new GraphQLNonNull(ReplyType),
      args: { forum: { type: NonNullString }, subject: { type: NonNullString }, user: { type: NonNullString }, message: { type: NonNullString } },
      resolve: (_s, args, { session }) => guard(() => postReply(session, args)),
    },
  },
});

/** The forum's GraphQL schema. */
export const forumSchema = new GraphQLSchema({ query: QueryType, mutation: MutationType });
