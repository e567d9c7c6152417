/**
 * The runnable snippet files of examples/snippets/ (the README's examples of reads at
 * scale) run against DynamoDB Local, their `assert`s holding.
 */
import { expect } from 'chai';
import { run as reads, Thread, Forum } from '../../examples/snippets/reads.js';
import { testDb } from '../harness/db.js';

describe('examples/snippets (DynamoDB Local)', () => {
  it('reads.ts runs: query, pages, cursors, indexes, getMany, putMany, scan', async function () {
    this.timeout(60_000);
    const { db, counter, drop } = testDb('snippets-reads-');
    const logged: unknown[][] = [];
    try {
      await reads(db, (...args) => logged.push(args));
      expect(logged.filter(([line]) => line === '250/250 written')).to.have.length(1);
      expect(counter.counts().BatchGetItemCommand).to.be.at.least(2);
    } finally {
      await drop([Thread, Forum]);
    }
  });
});
