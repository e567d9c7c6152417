/**
 * The forum's writes, validated before any request: posting a thread (it must not exist
 * yet, its author must exist) and posting a reply — one transaction that writes the reply
 * only if the thread and the author exist, and counts it on the thread. The checks and
 * the count are declared on the edges (see models.ts), not written here.
 */
import { ValidationError, type Session } from '../../src/index.js';
import { Reply, Thread } from './models.js';

/** Arguments of a post. */
export interface PostArgs {
  forum: string;
  subject: string;
  user: string;
  message: string;
}

function checkText(args: PostArgs): void {
  const issues = (['forum', 'subject', 'user', 'message'] as const)
    .filter((k) => args[k].trim() === '' || args[k].length > 2000)
    .map((k) => ({ path: k, message: args[k].trim() === '' ? 'must not be empty' : 'is longer than 2000 characters' }));
  if (issues.length) throw new ValidationError('post', issues);
}

/**
 * Posts a new thread; fails if the subject is taken in that forum (ItemExistsError) or the
 * user does not exist (MissingTargetError: `Thread.user` declares `requireTarget`, so the
 * save is one transaction with a ConditionCheck of the user).
 */
export async function postThread(session: Session, args: PostArgs): Promise<Thread> {
  checkText(args);
  const thread = new Thread({ forum_name: args.forum, subject: args.subject, user_name: args.user, message: args.message });
  return thread.save({ db: session, overwrite: false });
}

/**
 * Posts a reply: one transaction that puts the reply (a create), adds 1 to its thread's
 * `replyCount` (conditional on the thread existing) and checks that the user exists —
 * all declared on the edges; MissingTargetError names what is missing.
 */
export async function postReply(session: Session, args: PostArgs): Promise<Reply> {
  checkText(args);
  const reply = new Reply({ thread_id: '', posted: new Date(), user_name: args.user, message: args.message });
  const thread = new Thread({ forum_name: args.forum, subject: args.subject, user_name: args.user });
  thread.replies.add(reply);
  return reply.save({ db: session });
}
