import type { PatchStats } from '../patching/patch-stats.js';

/** A patch-statistics table with a text histogram (lengths above 16 grouped). */
export function formatPatchStats(s: PatchStats): string {
  const lines = [
    `documents      ${s.documents}`,
    `tokens         ${s.tokens} (bytes + BOS/EOS)`,
    `patches        ${s.patches}`,
    `patch length   mean ${s.mean.toFixed(3)}  median ${s.median}  p90 ${s.p90}  p99 ${s.p99}  max ${s.max}`,
    'histogram',
  ];
  const rows: Array<[string, number]> = [];
  let over = 0;
  for (const [len, n] of Object.entries(s.histogram)) {
    if (Number(len) <= 16) rows.push([len, n]);
    else over += n;
  }
  if (over) rows.push(['>16', over]);
  const top = Math.max(1, ...rows.map(([, n]) => n));
  for (const [len, n] of rows) {
    const bar = '█'.repeat(Math.max(n > 0 ? 1 : 0, Math.round((n / top) * 40)));
    lines.push(
      `  ${len.padStart(3)} ${String(n).padStart(8)} ${((100 * n) / s.patches).toFixed(1).padStart(5)}% ${bar}`,
    );
  }
  return lines.join('\n');
}
