/**
 * `blt inspect --html`: a self-contained page with the entropy figure (inline SVG), the
 * settings, and the patches as text with alternating backgrounds.
 */
import { renderPatch } from './render-patches.js';
import { entropyFigureSvg, type FigureOptions } from './entropy-figure.js';
import type { FigureInput } from './figure-layout.js';
import { htmlPage, htmlTable } from './html-page.js';
import { esc } from './svg.js';

export interface InspectPageInfo {
  /** where the text and entropies came from: "model ngram:x.bin", "shard set out/, doc 12" */
  from: string;
  /** the tokens [n + 2] (BOS, bytes, EOS) */
  tokens: ArrayLike<number>;
}

export function inspectHtml(input: FigureInput, info: InspectPageInfo, opts: FigureOptions = {}): string {
  const n = input.bytes.length;
  const P = input.patchLengths.length;
  const body: string[] = ['<h1>Entropy patching</h1>'];
  body.push(
    htmlTable(
      ['', ''],
      [
        ['text and entropies', info.from],
        ['bytes / tokens', `${n} / ${n + 2}`],
        [
          'rule',
          input.monotonicity
            ? `relative: H[t-1] − H[t-2] > θr = ${input.threshold}`
            : `global: H[t-1] > θ = ${input.threshold}`,
        ],
        [
          'patches',
          `${P} (mean ${((n + 2) / Math.max(1, P)).toFixed(3)} ` +
            `tokens/patch, ${(n / Math.max(1, P)).toFixed(3)} bytes/patch)`,
        ],
      ],
      'kv',
    ),
  );
  body.push(entropyFigureSvg(input, opts));
  const spans: string[] = [];
  let pos = 0;
  for (let p = 0; p < P; p++) {
    const len = input.patchLengths[p] as number;
    const slice = Array.prototype.slice.call(info.tokens, pos, Math.min(pos + len, info.tokens.length)) as number[];
    pos += len;
    spans.push(
      `<span style="background:${p % 2 ? '#dfe9f8' : '#f8ecd9'};padding:1px ` +
        `0;white-space:pre-wrap">${esc(renderPatch(slice))}</span>`,
    );
  }
  body.push('<h2>Patches</h2>', `<p style="font-size:15px;line-height:1.8">${spans.join('')}</p>`);
  body.push(
    '<p class="note">The value over each byte is the entropy of the model\'s prediction of that byte ' +
      '(H[t−1] for token t), so a point above the threshold line marks a byte that starts a patch (global ' +
      'rule). Bytes that are not whole characters inside a patch are shown as ⟨hex⟩.</p>',
  );
  return htmlPage('blt inspect', body);
}
