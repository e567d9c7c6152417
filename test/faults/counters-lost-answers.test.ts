/**
 * Counters under what DynamoDB Local never does on its own, injected below the real SDK:
 * answers lost after the write was applied (the SDK resends the same TransactWriteItems,
 * with the same idempotency token), throttling, connection resets and transaction
 * conflicts. 20 concurrent reply posts and deletes — retried by the caller whenever an
 * error leaves the outcome unknown, as an application would — must leave the counter
 * exactly equal to a COUNT Query of the replies.
 */
import { expect } from 'chai';
import { ItemExistsError, manyToOne, Model, number, oneToMany, recount, string } from '../../src/index.js';
import { injectFaults } from '../../src/testing/index.js';
import { testDb } from '../harness/db.js';
import { loseAnswers } from '../harness/lost-answers.js';

class Topic extends Model({ table: 'topics', key: { hash: 'id' }, attributes: { id: string(), replyCount: number().default(0) } }) {
  replies = oneToMany(() => Answer, { query: (t: Topic) => ({ topic_id: t.id }), inverse: 'topic', counter: 'replyCount' });
}

class Answer extends Model({ table: 'answers', key: { hash: 'topic_id', range: 'n' }, attributes: { topic_id: string(), n: number(), text: string() } }) {
  topic = manyToOne(() => Topic, { query: (a: Answer) => ({ id: a.topic_id }), requireTarget: true });
}

const models = [Topic, Answer];
const { db, drop } = testDb('faults-counters-', { retry: { baseDelayMs: 1, maxDelayMs: 4, attempts: 6 }, client: { maxAttempts: 4 } });

const stored = async () => ({
  counter: (await Topic.get({ id: 't' }, { db, consistent: true }))!.replyCount,
  replies: await Answer.query({ topic_id: 't' }, { db, consistent: true }).count(),
});

/** Runs `write` until it succeeds; an error whose outcome is unknown (or a throttle that outlasted the SDK) is retried. */
async function untilDone(write: () => Promise<void>, landed: (err: unknown) => boolean = () => false): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return attempt;
    } catch (err) {
      if (landed(err)) return attempt;
      const code = (err as { code?: string }).code;
      if (!['OUTCOME_UNKNOWN', 'THROTTLED', 'NETWORK', 'DYNAMODB_ERROR', 'TRANSACTION_CANCELED'].includes(code ?? '') || attempt > 30) throw err;
    }
  }
}

describe('counters under lost answers, throttling and conflicts (injected)', function () {
  this.timeout(120_000);
  before(async () => {
    await db.createTables(models);
    await Topic.put({ id: 't' }, { db });
  });
  after(() => drop(models));

  it('a create whose answer is lost is resent with the same token and counted once', async () => {
    const loser = loseAnswers(db.connection.client, { operation: 'TransactWriteItems', times: 1 });
    try {
      await new Answer({ topic_id: 't', n: 1000, text: 'once' }).save({ db });
    } finally {
      loser.remove();
    }
    expect(loser.lost()).to.equal(1);
    expect(await stored()).to.deep.equal({ counter: 1, replies: 1 });
    // A delete whose answer is lost: resent, decremented once.
    const lost = loseAnswers(db.connection.client, { operation: 'TransactWriteItems', times: 1 });
    try {
      await Answer.delete({ topic_id: 't', n: 1000 }, { db });
    } finally {
      lost.remove();
    }
    expect(lost.lost()).to.equal(1);
    expect(await stored()).to.deep.equal({ counter: 0, replies: 0 });
  });

  it('after an OutcomeUnknownError the caller retries: the create and the delete still count once', async () => {
    // Every answer lost, past the SDK's and dynagraph's resends: the caller is told the outcome is unknown.
    const everything = () => loseAnswers(db.connection.client, { operation: 'TransactWriteItems', times: 1000 });
    let loser = everything();
    const first = await new Answer({ topic_id: 't', n: 2000, text: 'x' }).save({ db }).catch((e: unknown) => e);
    loser.remove();
    expect((first as { code?: string }).code).to.equal('OUTCOME_UNKNOWN');
    // It landed; the retry is refused as a second create and counts nothing.
    const again = await new Answer({ topic_id: 't', n: 2000, text: 'x' }).save({ db }).catch((e: unknown) => e);
    expect(again).to.be.instanceOf(ItemExistsError);
    expect(await stored()).to.deep.equal({ counter: 1, replies: 1 });
    const answer = (await Answer.get({ topic_id: 't', n: 2000 }, { db, consistent: true }))!;
    loser = everything();
    const gone = await answer.delete().catch((e: unknown) => e);
    loser.remove();
    expect((gone as { code?: string }).code).to.equal('OUTCOME_UNKNOWN');
    // The retried delete (its condition: the item still exists) finds nothing: nothing counted.
    await answer.delete();
    expect(await stored()).to.deep.equal({ counter: 0, replies: 0 });
  });

  it('20 concurrent posts and deletes under faults leave replyCount equal to a COUNT query', async () => {
    const loser = loseAnswers(db.connection.client, { operation: 'TransactWriteItems', times: 8 });
    const faults = injectFaults(db.connection.client, {
      rate: 0.25, seed: 14,
      kinds: { throttle: 2, resetAfter: 2, resetBefore: 1, serverError: 1, conflict: 1 },
      operations: ['TransactWriteItems', 'GetItem', 'Query'],
    });
    try {
      await Promise.all(Array.from({ length: 20 }, async (_, i) => {
        // A retried create after an unknown outcome: ItemExistsError means an earlier attempt landed (and counted).
        await untilDone(() => new Answer({ topic_id: 't', n: i, text: `reply ${i}` }).save({ db }).then(() => {}), (err) => err instanceof ItemExistsError);
        // Every other reply is deleted again, by key; a retried delete of a gone item counts nothing.
        if (i % 2 === 0) await untilDone(() => Answer.delete({ topic_id: 't', n: i }, { db }));
      }));
    } finally {
      faults.remove();
      loser.remove();
    }
    expect(loser.lost()).to.equal(8);
    expect(faults.total()).to.be.greaterThan(5);
    expect(await stored()).to.deep.equal({ counter: 10, replies: 10 });
    // Nothing for a recount to fix.
    const topic = (await Topic.get({ id: 't' }, { db, consistent: true }))!;
    expect((await recount([topic], 'replies', { db })).changed).to.deep.equal([]);
  });
});
