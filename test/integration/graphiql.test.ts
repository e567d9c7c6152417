/**
 * GraphiQL as a person meets it: `forum:serve`'s GET /graphql opens GraphiQL in headless
 * Chromium (Debian's `chromium` package, driven by playwright-core), its assets all from the
 * server itself (no CDN: this machine has no internet), and running its query shows data.
 * Optional: without /usr/bin/chromium (or CHROMIUM_PATH) the test is skipped and says why.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { expect } from 'chai';
import { testDb } from '../harness/db.js';
import { forumModels } from '../../examples/forum/models.js';
import { seedForum } from '../../examples/forum/seed.js';
import { forumServer } from '../../examples/forum/server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('GraphiQL in headless Chromium (optional)', function () {
  this.timeout(90_000);
  const { db, drop } = testDb('gqli-');
  let server: Server;
  let base: string;
  const profile = mkdtempSync(join(tmpdir(), 'graphiql-profile-'));

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
      this.skip();
    }
    await db.createTables([...forumModels]);
    await seedForum(db, { forums: 2, users: 5, threads: 8, replies: 20, seed: 3, progress: false });
    server = forumServer(db).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    rmSync(profile, { recursive: true, force: true });
    if (!server) return;
    await new Promise((r) => server.close(r));
    await drop([...forumModels]);
  });

  it('opens on GET /graphql, loads only local assets, and runs its query', async () => {
    const { chromium } = await import('playwright-core');
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1400, height: 800 } });
    try {
      const page = await context.newPage();
      const requested: string[] = [];
      const failed: string[] = [];
      page.on('request', (r) => requested.push(r.url()));
      page.on('requestfailed', (r) => failed.push(r.url()));
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      const response = await page.goto(`${base}/graphql`);
      expect(response?.status()).to.equal(200);
      await page.waitForSelector('.graphiql-execute-button', { timeout: 30_000 });
      await page.click('.graphiql-execute-button');
      // Runs in the page (no DOM types here): the result pane shows the data.
      await page.waitForFunction(`document.querySelector('.result-window')?.textContent?.includes('"replyCount"')`, null, { timeout: 30_000 });
      const result = await page.textContent('.result-window');
      expect(result).to.contain('"forums"').and.contain('"edges"').and.not.contain('"errors"');
      const shot = process.env.GRAPHIQL_SCREENSHOT ?? join(profile, 'graphiql.png');
      await page.screenshot({ path: shot });
      expect(statSync(shot).size).to.be.greaterThan(10_000);
      expect(requested.filter((u) => !u.startsWith(base) && !u.startsWith('data:')), 'requests off the server').to.deep.equal([]);
      expect(requested).to.include.members([`${base}/graphiql/graphiql.js`, `${base}/graphiql/react.js`, `${base}/graphql`]);
      expect(failed).to.deep.equal([]);
      expect(pageErrors).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });
});
