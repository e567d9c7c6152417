/**
 * The forum's integrity and counts (examples/forum/models.ts) against DynamoDB Local: a
 * reply posted through the forum's mutation is one transaction that counts it on its thread
 * and checks its author; a forum with threads cannot be deleted; deleting a thread deletes
 * its replies in the same transaction.
 */
import { expect } from 'chai';
import { DeleteRestrictedError, MissingTargetError } from '../../src/index.js';
import { Forum, forumModels, Reply, Thread, threadId, User } from '../../examples/forum/models.js';
import { postReply, postThread } from '../../examples/forum/mutations.js';
import { testDb } from '../harness/db.js';
import { recordInputs } from '../harness/faults.js';

const { db, counter, drop } = testDb('forum-integrity-', { retry: { baseDelayMs: 1 } });
const spy = recordInputs(db.connection.client);
const args = { forum: 'AWS', subject: 'Hot keys', user: 'ada', message: 'help' };

describe("forum: the models' integrity and counts (DynamoDB Local)", () => {
  before(async function () {
    this.timeout(60_000);
    await db.createTables([...forumModels]);
    await Forum.put({ name: 'AWS' }, { db });
    await User.put({ name: 'ada' }, { db });
  });
  after(() => drop([...forumModels]));
  beforeEach(() => counter.reset());

  it('postThread and postReply are one transaction each, with the checks and the count declared on the edges', async () => {
    const s = db.session();
    const from = spy.sent.length;
    await postThread(s, args);
    await postReply(s, { ...args, message: 'first' });
    await new Promise((r) => setTimeout(r, 2)); // replies are keyed by their millisecond
    await postReply(s, { ...args, message: 'second' });
    const kinds = spy.sent.slice(from).map((r) => (r.input.TransactItems as Record<string, unknown>[]).map((i) => Object.keys(i)[0]).join(' '));
    // The thread: Put + ConditionCheck of its author. Each reply: Put, ADD replyCount on the thread
    // (which also proves the thread exists), ConditionCheck of its author.
    expect(kinds).to.deep.equal(['Put ConditionCheck', 'Put Update ConditionCheck', 'Put Update ConditionCheck']);
    const thread = (await s.get(Thread, { forum_name: 'AWS', subject: 'Hot keys' }))!;
    expect(thread.replyCount).to.equal(2);
    expect(await thread.replies.count()).to.equal(2);
    const err = await postReply(s, { ...args, user: 'nobody' }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(MissingTargetError);
    expect((err as Error).message).to.contain('Reply.user').and.contain('nobody');
    expect((await Thread.get({ forum_name: 'AWS', subject: 'Hot keys' }, { db, consistent: true }))!.replyCount).to.equal(2);
  });

  it('a forum with threads cannot be deleted; a thread deleted takes its replies with it', async () => {
    const forum = (await Forum.get({ name: 'AWS' }, { db }))!;
    const refused = await forum.delete().catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(DeleteRestrictedError);
    expect((refused as DeleteRestrictedError).edge).to.equal('Forum.threads');
    expect(counter.commands().filter((c) => c !== 'GetItemCommand' && c !== 'QueryCommand')).to.deep.equal([]);
    const thread = (await Thread.get({ forum_name: 'AWS', subject: 'Hot keys' }, { db }))!;
    counter.reset();
    await thread.delete();
    // Its replies (cascade) and its tag links (detach) are read, then deleted with it in one transaction.
    expect(counter.counts()).to.deep.equal({ QueryCommand: 2, TransactWriteItemsCommand: 1 });
    expect(await Reply.query({ thread_id: threadId.join(['AWS', 'Hot keys']) }, { db, consistent: true }).count()).to.equal(0);
    await forum.delete();
    expect(await Forum.get({ name: 'AWS' }, { db, consistent: true })).to.equal(null);
  });
});
