/**
 * Reading a failure for a lost answer: whether any attempt of the request behind an error
 * may have been applied (the connection's middleware marks that on the SDK's error; see client.ts).
 */
import { OutcomeUnknownError, RESENT } from '../errors.js';

/**
 * `true` when the request behind `err` had an attempt whose outcome is unknown (a dropped
 * connection or a 5xx) before it failed: a write may have been applied by that attempt.
 * Looks through `cause` chains.
 */
export function outcomeWasUnknown(err: unknown): boolean {
  for (let e = err as ({ [RESENT]?: boolean; cause?: unknown }) | undefined, depth = 0; e && typeof e === 'object' && depth < 5; e = e.cause as typeof e, depth++) {
    if (e[RESENT]) return true;
    if (e instanceof OutcomeUnknownError) return true;
  }
  return false;
}
