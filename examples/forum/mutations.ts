/**
 * The forum's writes, validated before any request: posting a thread (it must not exist
 * yet, its author must exist) and posting a reply — one transaction that writes the reply
 * only if the thread exists.
 */
import { attr, ValidationError, type Session } from '../../src/index.js';
import { Reply, Thread, User } from './models.js';

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

/** Posts a new thread; fails if the subject is taken in that forum or the user does not exist. */
export async function postThread(session: Session, args: PostArgs): Promise<Thread> {
  checkText(args);
  const thread = new Thread({ forum_name: args.forum, subject: args.subject, user_name: args.user, message: args.message });
  await session.transactWrite((tx) => {
    tx.put(thread, { overwrite: false });
    tx.check([User, { name: args.user }], attr('name').exists());
  });
  return thread;
}

/** Posts a reply, in one transaction conditional on the thread existing. */
export async function postReply(session: Session, args: PostArgs): Promise<Reply> {
  checkText(args);
  const reply = new Reply({ thread_id: '', posted: new Date(), user_name: args.user, message: args.message });
  const thread = new Thread({ forum_name: args.forum, subject: args.subject, user_name: args.user });
  thread.replies.add(reply);
  await session.transactWrite((tx) => {
    tx.put(reply, { overwrite: false });
    tx.check([Thread, { forum_name: args.forum, subject: args.subject }], attr('subject').exists());
    tx.check([User, { name: args.user }], attr('name').exists());
  });
  return reply;
}
