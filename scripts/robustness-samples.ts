/**
 * Text types the multilingual corpus lacks, for checking that an entropy model is never
 * catastrophically worse than a unigram (docs/entropy-default-model.md): hand-written samples in
 * data/robustness/ (emoji chat, mixed scripts), JavaScript/TypeScript sources of installed npm
 * packages, and deterministic synthetic JSON, CSV, base64 and hex. Used by
 * scripts/eval-entropy-models.ts and scripts/train-default-ngram.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

const ROOT = new URL('..', import.meta.url).pathname;

export interface RobustnessSample {
  readonly name: string;
  readonly text: string;
}

/** A deterministic byte stream (sha256 counter mode). */
function pseudoBytes(seed: string, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0, k = 0; i < n; k++) {
    const h = createHash('sha256').update(`${seed}:${k}`).digest();
    for (let j = 0; j < h.length && i < n; j++) out[i++] = h[j] as number;
  }
  return out;
}

function jsonSample(): string {
  const r = pseudoBytes('json', 4000);
  const names = ['alice', 'bob', 'carol', 'dmitri', 'eva', 'fatima', 'gustav', 'hiro', 'ines', 'jonas'];
  const tags = ['admin', 'beta', 'mobile', 'eu', 'us', 'trial', 'paid'];
  const lines: string[] = [];
  for (let i = 0; i < 120; i++) {
    const b = (k: number): number => r[(i * 17 + k) % r.length] as number;
    lines.push(
      JSON.stringify({
        id: 100000 + i * 37,
        user: names[b(0) % names.length],
        email: `${names[b(1) % names.length]}.${b(2)}@example.com`,
        active: b(3) % 2 === 0,
        score: Math.round(b(4) * 3.7 * 100) / 100,
        tags: [tags[b(5) % tags.length], tags[b(6) % tags.length]],
        created: `2024-${String((b(7) % 12) + 1).padStart(2, '0')}-${String((b(8) % 28) + 1).padStart(2, '0')}T${String(b(9) % 24).padStart(2, '0')}:00:00Z`,
        geo: { lat: (b(10) - 128) / 3.1, lon: (b(11) - 128) / 1.7 },
      }),
    );
  }
  return lines.join('\n');
}

function csvSample(): string {
  const r = pseudoBytes('csv', 3000);
  const rows = ['date,station,temp_c,humidity,wind_kmh,rain_mm'];
  for (let i = 0; i < 150; i++) {
    const b = (k: number): number => r[(i * 13 + k) % r.length] as number;
    rows.push(
      `2024-03-${String((i % 28) + 1).padStart(2, '0')},ST${(b(0) % 40) + 100},${((b(1) - 60) / 10).toFixed(1)},${b(2) % 100},${b(3) % 60},${(b(4) / 40).toFixed(2)}`,
    );
  }
  return rows.join('\n');
}

export function robustnessSamples(): RobustnessSample[] {
  const file = (p: string): string => readFileSync(join(ROOT, p), 'utf8');
  const code = [
    'commander/lib/command.js',
    'fastify/lib/route.js',
    'semver/classes/comparator.js',
    'js-yaml/dist/js-yaml.mjs',
  ]
    .map((p) => file(join('node_modules', p)).slice(0, 30000))
    .join('\n');
  const bytes = pseudoBytes('b64', 6000);
  return [
    { name: 'emoji chat', text: file('data/robustness/emoji.txt') },
    { name: 'mixed scripts', text: file('data/robustness/mixed-scripts.txt') },
    { name: 'JavaScript (npm packages)', text: code },
    {
      name: 'TypeScript (this repo)',
      text: file('src/entropy/ngram/score.ts') + file('src/ingest/corpora/multilingual-build.ts'),
    },
    { name: 'JSON lines', text: jsonSample() },
    { name: 'CSV', text: csvSample() },
    {
      name: 'base64',
      text: Buffer.from(bytes)
        .toString('base64')
        .replace(/(.{76})/g, '$1\n'),
    },
    {
      name: 'hex',
      text: Buffer.from(bytes.subarray(0, 3000))
        .toString('hex')
        .replace(/(.{64})/g, '$1\n'),
    },
  ];
}
