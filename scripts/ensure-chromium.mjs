#!/usr/bin/env node
// The web page test (test/e2e/serve-web.test.ts) drives Debian's chromium through playwright-core
// (playwright's own browser download cannot work offline). Installs it when missing, so that
// `npm test` works on a fresh machine; without root it says what to run instead.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const path = process.env.BLT_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(path)) {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    console.error(
      `chromium is not installed (${path}); the browser test needs it: sudo apt-get install -y chromium (or set BLT_CHROMIUM)`,
    );
    process.exit(1);
  }
  console.error('installing Debian chromium for the browser test (apt-get)...');
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', {
    stdio: 'inherit',
  });
}
const v = spawnSync(path, ['--version'], { encoding: 'utf8' });
console.error(`browser for tests: ${(v.stdout || v.stderr).trim()}`);
