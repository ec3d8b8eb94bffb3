/**
 * What `/v1/patch` computes, with the library's own functions: `encodeBytes` → the shared
 * entropy scorer → `patchLengths` → `hashNgramIds`. Entropies go out at full float32 precision
 * (a JSON number round-trips a float32 exactly), so a client gets the library's values.
 */
import { DEFAULT_THRESHOLD, toPatchOptions } from '../patching/patch-options.js';
import { documentThreshold } from '../entropy/script-threshold.js';
import { patchLengths } from '../patching/patch-lengths.js';
import { hashNgramIds } from '../patching/ngram-hash.js';
import { encodeBytes } from '../bytes/tokenizer.js';
import { renderPatch } from '../report/render-patches.js';
import { ngramColumnNames } from '../preprocess/settings.js';
import type { PatchRequest, PatchSettings } from './patch-request.js';
import type { ScoreQueue } from './score-queue.js';

export interface PatchedDoc {
  id?: string;
  /** bytes of the document; tokens = bytes + 2 (BOS, EOS) */
  bytes: number;
  tokens: number[];
  /** one per token (nats), when scored */
  entropies?: number[];
  patchLengths: number[];
  /** `ngram_ids_<size>_<function>` → one id per token */
  ngramIds?: Record<string, number[]>;
  /** each patch as printable text (`segments: true`) */
  segments?: string[];
}

export interface PatchAnswerOptions extends PatchSettings {
  /** the model's per-script table, when it chose each document's θ (as `blt preprocess`) */
  scriptThresholds?: Record<string, number>;
  /** the entropy model that scored (when scored) */
  model?: string;
  ngram: PatchRequest['ngram'];
}

export interface PatchComputation {
  docs: Array<{
    bytes: Uint8Array;
    tokens: Int32Array;
    entropies: Float32Array | null;
    lengths: Int32Array;
    /** the θ this document was patched with (entropy mode) */
    threshold: number | undefined;
  }>;
  options: PatchAnswerOptions;
}

export interface PatchServiceOptions {
  queue: ScoreQueue;
  /** the threshold of the global rule when a request gives none (the model's calibrated one) */
  defaultThreshold: number;
  /** the model's per-script thresholds: with no threshold in the request, one θ per document by its main script */
  scriptThresholds?: Record<string, number> | undefined;
  /** what to report as `options.model` */
  modelName: string;
}

/** The patching options a request resolves to (the threshold filled in for the entropy rules). */
function effectiveSettings(p: PatchSettings, defaultThreshold: number): PatchSettings {
  if (p.mode !== 'entropy' || p.threshold !== undefined) return { ...p };
  return { ...p, threshold: p.monotonicity ? DEFAULT_THRESHOLD : defaultThreshold };
}

/** The model's per-script table when it decides the θ of a request's documents (the global rule, no θ given). */
function appliedScriptTable(
  p: PatchSettings,
  table: Record<string, number> | undefined,
): Record<string, number> | undefined {
  return p.mode === 'entropy' && !p.monotonicity && p.threshold === undefined ? table : undefined;
}

export class PatchService {
  constructor(private readonly o: PatchServiceOptions) {}

  get defaultThreshold(): number {
    return this.o.defaultThreshold;
  }

  /** Tokens, entropies (when asked) and patch lengths of every document; `signal` drops the work of a gone client. */
  async compute(req: PatchRequest, signal?: AbortSignal): Promise<PatchComputation> {
    const settings = effectiveSettings(req.patching, this.o.defaultThreshold);
    const table = appliedScriptTable(req.patching, this.o.scriptThresholds);
    const tokens = req.docs.map((d) => encodeBytes(d.bytes));
    const entropies = req.score ? await this.o.queue.score(tokens, signal) : null;
    const base = toPatchOptions(settings);
    const docs = req.docs.map((d, i) => {
      const t = tokens[i] as Int32Array;
      const e = entropies ? (entropies[i] as Float32Array) : null;
      // the model's per-script table as in `blt preprocess`: one θ per document, by its main script
      const threshold =
        table && settings.threshold !== undefined
          ? documentThreshold(t, settings.threshold, table)
          : settings.threshold;
      const opts = threshold === undefined ? base : { ...base, threshold };
      const lengths = patchLengths(t, settings.mode === 'entropy' && e ? { ...opts, entropies: e } : opts);
      return { bytes: d.bytes, tokens: t, entropies: e, lengths, threshold };
    });
    const options: PatchAnswerOptions = {
      ...settings,
      ...(table ? { scriptThresholds: table } : {}),
      ngram: req.ngram,
      ...(req.score ? { model: this.o.modelName } : {}),
    };
    return { docs, options };
  }

  /** The JSON answer of `/v1/patch`. */
  async patch(
    req: PatchRequest,
    signal?: AbortSignal,
  ): Promise<{ options: PatchAnswerOptions } & ({ documents: PatchedDoc[] } | PatchedDoc)> {
    const { docs, options } = await this.compute(req, signal);
    const names = req.ngram ? ngramColumnNames(req.ngram) : [];
    const out = docs.map((d, i): PatchedDoc => {
      const id = req.docs[i]?.id;
      const doc: PatchedDoc = {
        ...(id === undefined ? {} : { id }),
        bytes: d.bytes.length,
        tokens: Array.from(d.tokens),
        patchLengths: Array.from(d.lengths),
      };
      if (d.entropies) doc.entropies = Array.from(d.entropies);
      if (req.ngram) {
        const ids: Record<string, number[]> = {};
        let k = 0;
        for (let f = 0; f < req.ngram.functions; f++) {
          for (const g of req.ngram.sizes)
            ids[names[k++] as string] = Array.from(hashNgramIds(d.tokens, g, f, req.ngram.vocab));
        }
        doc.ngramIds = ids;
      }
      if (req.segments) doc.segments = segmentsOf(d.tokens, d.lengths);
      return doc;
    });
    return req.batch ? { documents: out, options } : { ...(out[0] as PatchedDoc), options };
  }
}

/** Each patch's tokens as printable text (`<s>`, `</s>`, ⟨hex⟩ for split characters). */
function segmentsOf(tokens: Int32Array, lengths: Int32Array): string[] {
  const out: string[] = [];
  let pos = 0;
  for (const l of lengths) {
    out.push(renderPatch(tokens.subarray(pos, Math.min(pos + l, tokens.length))));
    pos += l;
  }
  return out;
}
