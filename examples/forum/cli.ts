/**
 * The forum commands' flags (`node:util` parseArgs) and their errors for people: a problem
 * the user can fix (no Java, a port taken, an unknown flag, no credentials) is one line on
 * stderr and exit code 1 (2 for bad flags), never a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createServer } from 'node:net';
import { DynagraphError } from '../../src/index.js';

/** One flag of a forum command. */
export interface Flag {
  type: 'boolean' | 'string';
  short?: string;
  help: string;
}

/** Flags every forum command takes. */
export const COMMON_FLAGS = {
  aws: { type: 'boolean', help: 'use real AWS (standard credential chain, AWS_REGION) instead of DynamoDB Local' },
  small: { type: 'boolean', help: 'seed a small forum (2 forums, 10 users, 20 threads, 100 replies) when the tables are empty' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const satisfies Record<string, Flag>;

/** Environment variables every forum command reads. */
export const COMMON_ENV: Record<string, string> = {
  DYNAMODB_ENDPOINT: 'use this DynamoDB (Local) instead of starting one (e.g. http://127.0.0.1:8000)',
  FORUM_TABLE_PREFIX: 'table-name prefix (default "forum-")',
};

/** A problem the user can fix: printed as one line, without a stack trace. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** The help text of a command. */
export function helpText(usage: string, about: string, flags: Record<string, Flag>, env: Record<string, string>): string {
  const names = Object.entries(flags).map(([name, f]) => [`${f.short ? `-${f.short}, ` : '    '}--${name}${f.type === 'string' ? ' <value>' : ''}`, f.help]);
  const pad = Math.max(...names.map(([n]) => n.length), ...Object.keys(env).map((k) => k.length)) + 2;
  return [
    `usage: ${usage}`, '', about, '', 'flags:',
    ...names.map(([n, h]) => `  ${n.padEnd(pad)}${h}`),
    '', 'environment:',
    ...Object.entries(env).map(([k, h]) => `  ${k.padEnd(pad)}${h}`),
  ].join('\n');
}

/** Parses `argv` against `flags` (strictly: an unknown flag is a CliError with exit code 2). */
export function parseFlags<F extends Record<string, Flag>>(flags: F, argv: string[]): { [K in keyof F]?: F[K]['type'] extends 'boolean' ? boolean : string } {
  const options = Object.fromEntries(Object.entries(flags).map(([name, f]) => [name, f.short ? { type: f.type, short: f.short } : { type: f.type }])) as ParseArgsConfig['options'];
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as never;
  } catch (err) {
    throw new CliError(`${(err as Error).message.split('\n')[0]} (see --help)`, 2);
  }
}

/** Resolves when `port` can be listened on at 127.0.0.1; a CliError naming it when it is taken. */
export function checkPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer().unref();
    probe.once('error', (err: NodeJS.ErrnoException) => reject(portError(port, err)));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/** The error for people of a failed listen on `port`. */
export function portError(port: number, err: NodeJS.ErrnoException): Error {
  if (err.code === 'EADDRINUSE') return new CliError(`port ${port} is taken by another program; choose another with PORT=<port> or --port <port>`);
  if (err.code === 'EACCES') return new CliError(`port ${port} needs privileges to listen on; choose one above 1023 with PORT=<port> or --port <port>`);
  return err;
}

/**
 * Runs a command. Errors people can act on (CliError, any dynagraph error: no Java, no
 * DynamoDB at DYNAMODB_ENDPOINT, no AWS credentials) print one line; anything else is a bug
 * and keeps its stack trace.
 */
export async function runCommand(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (!(err instanceof CliError) && !(err instanceof DynagraphError)) throw err;
    // The forum can use a DynamoDB of your own: say how, in the forum's own terms.
    const hint = (err as { code?: string }).code === 'DYNAMODB_LOCAL' ? ' (here: set DYNAMODB_ENDPOINT=<url>)' : '';
    console.error(`${name}: ${oneLine(err)}${hint}`);
    process.exit(err instanceof CliError ? err.exitCode : 1);
  }
}

/** The first line of an error's message. */
function oneLine(err: Error): string {
  const first = err.message.split('\n')[0].trim();
  return first || err.name;
}
