import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { createServer, type BltServer } from '../../src/serve/server.js';
import { ROOT } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/preprocess-fixtures.js';

const CHROMIUM = process.env.BLT_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('blt serve: the web page in headless Chromium', function () {
  this.timeout(300_000);
  let server: BltServer;
  let url: string;
  let browser: BrowserContext;
  let root: string;

  before(async function () {
    // `npm test` installs Debian's chromium first (scripts/ensure-chromium.mjs): a missing browser is a failure, not a skip
    assert.ok(
      existsSync(CHROMIUM),
      `${CHROMIUM} is not installed: run \`apt-get install -y chromium\` (npm test does this as root) or set BLT_CHROMIUM`,
    );
    root = await tempDir('serve-web-root');
    await copyFile(join(ROOT, 'data/samples/multilingual.jsonl'), join(root, 'multilingual.jsonl'));
    server = await createServer({ cacheDir: await tempDir('serve-web-state'), roots: [root], workers: 2 });
    url = await server.listen(0);
    const profile = await mkdtemp(join(tmpdir(), 'blt-chromium-'));
    // a fresh profile directory (playwright passes it as --user-data-dir)
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: FLAGS,
      headless: true,
      viewport: { width: 1280, height: 1000 },
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('typing text draws the entropy figure and the patches; a job shows its progress; a shard set opens its report', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    await page.goto(url);
    await page.locator('#health').filter({ hasText: 'entropy model' }).waitFor();

    const sentence = 'The Universal Declaration of Human Rights: all human beings are born free.';
    await page.locator('#text').pressSequentially(sentence, { delay: 5 });
    // the answer for the whole sentence (answers for a prefix may show while typing)
    await page
      .locator('#patch-summary')
      .filter({ hasText: `${Buffer.byteLength(sentence)} bytes,` })
      .waitFor();
    await page.locator('#figure svg polyline.entropy').first().waitFor();
    const summary = await page.locator('#patch-summary').textContent();
    const patches = await page.locator('#segments .patch').count();
    assert.ok(patches > 5, `${patches} patches shown`);
    assert.match(summary ?? '', new RegExp(`${patches} patches`));
    assert.equal((await page.locator('#segments').textContent())?.replace('<s>', '').replace('</s>', ''), sentence);
    assert.ok((await page.locator('#figure svg line.patch-start').count()) > 3);
    const shots = await mkdtemp(join(tmpdir(), 'blt-serve-screens-'));
    await page.screenshot({ path: join(shots, 'patching.png'), fullPage: true });

    // switching the mode re-patches
    await page.locator('#mode').selectOption('space');
    await page.locator('#patch-summary').filter({ hasText: 'mode space' }).waitFor();

    await page.locator('#job-inputs').fill('multilingual.jsonl');
    await page.locator('#job-options').fill('{"docsPerTask": 4}');
    await page.locator('#job-submit').click();
    await page
      .locator('#job-state')
      .filter({ hasText: /^done$/ })
      .waitFor({ timeout: 240_000 });
    assert.equal(
      await page.locator('#job-bar').evaluate((e) => (e as unknown as { style: { width: string } }).style.width),
      '100%',
    );
    assert.match((await page.locator('#job-detail').textContent()) ?? '', /44 documents/);

    await page.locator('#job-stats').click();
    await page.locator('#stats-summary').filter({ hasText: 'mean patch length' }).waitFor();
    const frame = page.frameLocator('#stats-frame');
    await frame.locator('svg').first().waitFor();
    assert.ok((await frame.locator('svg').count()) >= 2);
    await page.screenshot({ path: join(shots, 'page.png'), fullPage: true });
    console.log(`      screenshots: ${shots}/patching.png, ${shots}/page.png`);

    assert.deepEqual(problems, []);
    const foreign = requests.filter((r) => !r.startsWith(url));
    assert.deepEqual(foreign, [], 'the page loads nothing from outside the server');
    await page.close();
  });
});
