#!/usr/bin/env node
// The README's main job on the embedded defaults: the machine report, then the bundled
// multilingual sample through `blt preprocess` with the shipped entropy model (fresh output in
// runs/demo), then the entropy figure of one sentence in the terminal.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const blt = new URL('../dist/src/cli/main.js', import.meta.url).pathname;
const run = (args) => {
  console.log(`\n$ blt ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [blt, ...args], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

rmSync('runs/demo', { recursive: true, force: true });
run(['doctor']);
run(['preprocess', 'data/samples/multilingual.jsonl', '--out', 'runs/demo']);
run(['verify', 'runs/demo']);
run(['inspect', '--no-color', 'Daenerys Targaryen is in Game of Thrones, a fantasy epic by George R.R. Martin.']);
