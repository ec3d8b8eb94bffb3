/**
 * `POST /v1/figure`: the paper's entropy figure of one text as SVG, drawn by the same renderer
 * as `blt inspect --svg` (src/report/entropy-figure.ts). The body is a `/v1/patch` body for one
 * document plus `maxBytes` (default 4096: the figure shows the first bytes) and `bytesPerRow`.
 */
import { BltError } from '../core/errors.js';
import { entropyFigureSvg } from '../report/entropy-figure.js';
import type { FigureInput } from '../report/figure-layout.js';
import { expectObject, optInt } from './body-fields.js';
import { parsePatchRequest, type PatchLimits } from './patch-request.js';
import type { PatchService } from './patch-service.js';

export const FIGURE_FIELDS = ['maxBytes', 'bytesPerRow'] as const;

/** The figure input cut to the first `maxBytes` bytes (whole characters; patch lengths cut to match). */
function cutFigureInput(input: FigureInput, maxBytes: number): { input: FigureInput; note?: string } {
  const { bytes } = input;
  const n = bytes.length;
  while (maxBytes > 1 && maxBytes < n && ((bytes[maxBytes] as number) & 0xc0) === 0x80) maxBytes--;
  if (n <= maxBytes) return { input };
  const keep = maxBytes + 1; // BOS + the first maxBytes bytes
  const lengths: number[] = [];
  let pos = 0;
  for (let p = 0; p < input.patchLengths.length && pos < keep; p++) {
    const l = input.patchLengths[p] as number;
    lengths.push(Math.min(l, keep - pos));
    pos += l;
  }
  const entropies = Array.prototype.slice.call(input.entropies, 0, maxBytes + 2) as number[];
  return {
    input: { ...input, bytes: bytes.subarray(0, maxBytes), entropies, patchLengths: lengths },
    note: `the first ${maxBytes} of ${n} bytes (maxBytes)`,
  };
}

export async function figureSvg(
  body: unknown,
  service: PatchService,
  limits: PatchLimits,
  signal?: AbortSignal,
): Promise<string> {
  const o = { ...expectObject(body, 'the request body') };
  const maxBytes = optInt(o, 'maxBytes', 1, 1 << 20) ?? 4096;
  const bytesPerRow = optInt(o, 'bytesPerRow', 4, 4096);
  for (const k of FIGURE_FIELDS) delete o[k];
  if (o.documents !== undefined)
    throw new BltError(
      'BAD_INPUT',
      'Expected one document (`text` or `bytes`) for a figure, got `documents`.',
      'ask for one figure per text',
    );
  if (o.entropies === false)
    throw new BltError(
      'BAD_OPTION',
      'Expected `entropies` to be true or absent for a figure (the figure draws them), got false.',
    );
  const req = parsePatchRequest({ ...o, entropies: true }, limits);
  const { docs, options } = await service.compute(req, signal);
  const d = docs[0];
  if (!d?.entropies) throw new BltError('INTERNAL', 'no entropies for the figure');
  const fig = cutFigureInput(
    {
      bytes: d.bytes,
      entropies: d.entropies,
      patchLengths: d.lengths,
      threshold: d.threshold ?? options.threshold ?? service.defaultThreshold,
      monotonicity: options.monotonicity,
    },
    maxBytes,
  );
  const other = options.mode !== 'entropy';
  const title = other ? `Entropy of the next-byte prediction (patches: ${options.mode} mode)` : undefined;
  const notes = [
    fig.note,
    other
      ? `patch starts come from ${options.mode} mode; the dashed line is the entropy threshold, for comparison`
      : undefined,
  ].filter((x) => x !== undefined);
  return entropyFigureSvg(fig.input, {
    ...(bytesPerRow === undefined ? {} : { bytesPerRow }),
    ...(notes.length ? { note: notes.join(' · ') } : {}),
    ...(title ? { title } : {}),
  });
}
