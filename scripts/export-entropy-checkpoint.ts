/**
 * Turns the newest (or a given) checkpoint of an entropy-transformer run into a model directory,
 * for shipping a run that has not reached its last step (`blt entropy train` writes `<out>/model`
 * only at the end). The `training` block records the step and that it is a checkpoint export.
 *
 *   node --import tsx scripts/export-entropy-checkpoint.ts <run-dir> <model-dir> [--step N]
 */
import { parseArgs } from 'node:util';
import { loadCheckpoint } from '../src/entropy/train/train-state.js';
import { saveEntropyModel } from '../src/entropy/model-format/model-dir.js';
import { disposeEntropyTransformer, entropyTransformerFromArrays } from '../src/entropy/transformer/model.js';
import { initBackend } from '../src/backend/select-backend.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { step: { type: 'string' } } });
const [run, out] = positionals;
if (run === undefined || out === undefined)
  throw new Error('usage: export-entropy-checkpoint.ts <run-dir> <model-dir> [--step N]');
await initBackend('wasm');
const ckpt = await loadCheckpoint(run, values.step === undefined ? undefined : Number(values.step));
const s = ckpt.state;
const arrays = new Map([...ckpt.weights].map(([k, t]) => [k, { data: t.data, shape: t.shape }]));
const model = entropyTransformerFromArrays(s.config.model, arrays as never, run);
const training = {
  exported_from: `${run} checkpoint at step ${s.step} of ${s.config.steps} (scripts/export-entropy-checkpoint.ts)`,
  seed: s.config.seed,
  config: s.config,
  data: s.data,
  steps: s.step,
  tokens_seen: s.progress.tokensSeen,
  train_seconds: Math.round(s.progress.trainSeconds),
  last_val_bpb: s.progress.lastValBpb,
};
const { fingerprint } = await saveEntropyModel(out, model, { training });
disposeEntropyTransformer(model);
process.stderr.write(`${out}: step ${s.step}, fingerprint ${fingerprint}\n`);
