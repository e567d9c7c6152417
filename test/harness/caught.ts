/** Test helper: the error a promise rejects with (the test fails if it resolves). */
import { expect } from 'chai';

/** Awaits `p` and returns what it rejected with; fails the test when it resolves. */
export async function caught<E = Error>(p: Promise<unknown>): Promise<E> {
  try {
    await p;
  } catch (err) {
    return err as E;
  }
  expect.fail('expected the promise to reject');
}
