/**
 * The forum commands as people meet them: `--help` lists the flags, a mistake the user can
 * fix (an unknown flag, a taken port, no Java) is one line on stderr without a stack trace —
 * the port checked before DynamoDB Local is started or anything seeded — and SIGTERM to
 * `forum:serve` (or to the shell `npm run` starts it under) stops node and the DynamoDB
 * Local it started.
 */
import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dynagraph } from '../../src/index.js';
import { forumModels } from '../../examples/forum/models.js';
import { testClient, testEndpoint } from '../harness/client.js';

const SERVER = 'examples/forum/server.ts';
const MAIN = 'examples/forum/main.ts';
// What the forum scripts get: no endpoint from the test harness.
// (An endpoint a test passes in `extra` is kept: deleting after merging dropped it, and started a second DynamoDB Local.)
const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const e: NodeJS.ProcessEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  delete e.DYNAMODB_ENDPOINT;
  return { ...e, ...extra };
};
const run = (file: string, args: string[], extra?: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', file, ...args], { env: env(extra), encoding: 'utf8', timeout: 20_000 });

function expectOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).to.have.length(1);
  expect(lines[0]).to.match(pattern);
  expect(stderr).to.not.match(/^\s+at /m);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts `forum:serve` (seeding a small forum); resolves with its port and pids once it listens. */
async function serve(command: string, args: string[], extra: Record<string, string>, prefix: string): Promise<{ child: ChildProcess; node: number; java: number; port: number }> {
  const child = spawn(command, args, { env: env({ PORT: '0', FORUM_TABLE_PREFIX: prefix, ...extra }), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => void (out += d));
  child.stderr!.on('data', (d: Buffer) => void (out += d));
  // Java start, table creation and seeding: slow on a busy 2-core machine, so a generous wait (a wait, not a timed assertion).
  const deadline = Date.now() + 60_000;
  let listening: RegExpExecArray | null;
  while (!(listening = /GraphQL API on http:\/\/127\.0\.0\.1:(\d+)\/graphql \(pid (\d+)\)/.exec(out))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`forum:serve did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const java = /DynamoDB Local \(in memory\) on \S+, pid (\d+)/.exec(out);
  return { child, port: Number(listening[1]), node: Number(listening[2]), java: java ? Number(java[1]) : 0 };
}

async function gone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return !alive(pid);
}

describe('forum commands (errors for people)', () => {
  it('--help lists the flags and PORT, and exits 0', () => {
    const s = run(SERVER, ['--help']);
    expect(s.status).to.equal(0);
    for (const flag of ['--port', '--aws', '--small', '--help', 'PORT', 'DYNAMODB_ENDPOINT']) expect(s.stdout).to.include(flag);
    const m = run(MAIN, ['-h']);
    expect(m.status).to.equal(0);
    expect(m.stdout).to.include('--small').and.include('--aws').and.not.include('--port');
  });

  it('an unknown flag or a bad port is one line and exit code 2', () => {
    const r = run(MAIN, ['--smal']);
    expect(r.status).to.equal(2);
    expectOneLine(r.stderr, /^forum: Unknown option '--smal' \(see --help\)$/);
    const p = run(SERVER, ['--port', 'http']);
    expect(p.status).to.equal(2);
    expectOneLine(p.stderr, /^forum:serve: "http" is not a port number/);
  });

  it('a taken port is one line, before DynamoDB Local is started or anything seeded', async () => {
    const taken: Server = await new Promise((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const port = String((taken.address() as { port: number }).port);
      const started = Date.now();
      const r = run(SERVER, [], { PORT: port });
      expect(r.status).to.equal(1);
      expectOneLine(r.stderr, new RegExp(`^forum:serve: port ${port} is taken by another program; choose another with PORT=<port> or --port <port>$`));
      expect(r.stdout).to.not.include('DynamoDB Local');
      expect(Date.now() - started).to.be.below(10_000);
    } finally {
      taken.close();
    }
  });

  it('no Java on PATH is one line saying so', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-java-'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, '--small'], { env: { ...env(), PATH: empty }, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).to.equal(1);
    expectOneLine(r.stderr, /^forum: DynamoDB Local needs Java 17\+ on PATH.*DYNAMODB_ENDPOINT/);
  });

  it('SIGTERM to the shell `npm run forum:serve` starts it under stops node and its DynamoDB Local', async function () {
    this.timeout(80_000);
    // What npm does: `sh -c "node --import tsx …"`, and SIGTERM to that shell (which dash does not pass on).
    const viaShell = await serve('sh', ['-c', `"${process.execPath}" --import tsx ${SERVER} --small`], {}, 'forumcli-');
    expect(alive(viaShell.java)).to.equal(true);
    viaShell.child.kill('SIGTERM');
    expect(await gone(viaShell.java, 8000), 'DynamoDB Local still running').to.equal(true);
    expect(await gone(viaShell.node, 3000), 'the server process is still running').to.equal(true);
  });

  it('SIGTERM to the server process ends it with exit code 0, open connections or not', async function () {
    this.timeout(75_000);
    // On the harness's DynamoDB, so no second DynamoDB Local is started.
    const direct = await serve(process.execPath, ['--import', 'tsx', SERVER, '--small'], { DYNAMODB_ENDPOINT: testEndpoint() }, 'forumcli-');
    try {
      // A keep-alive connection must not hold the stop.
      const res = await fetch(`http://127.0.0.1:${direct.port}/`, { headers: { connection: 'keep-alive' } });
      expect(res.status).to.equal(404);
      const exited = new Promise<number | null>((r) => direct.child.once('exit', (code) => r(code)));
      direct.child.kill('SIGTERM');
      expect(await exited).to.equal(0);
    } finally {
      await new Dynagraph({ client: testClient(), tablePrefix: 'forumcli-' }).deleteTables([...forumModels], { wait: false });
    }
  });
});
