import { BltError } from '../../core/errors.js';
import { parseJson } from '../../core/parse-json.js';
import { ARCHITECTURE_KEYS, validateEntropyConfig } from '../transformer/config.js';
import type { EntropyTransformerConfig } from '../transformer/types.js';

/** config.json's `format` and `version` (docs/entropy-model-format.md). */
export const MODEL_FORMAT_NAME = 'blt-entropy-transformer';
export const MODEL_FORMAT_VERSION = 1;

/** The fields of config.json that enter the fingerprint: format, version and the architecture. */
export function architectureRecord(c: EntropyTransformerConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { format: MODEL_FORMAT_NAME, version: MODEL_FORMAT_VERSION };
  for (const k of ARCHITECTURE_KEYS) out[k] = c[k];
  return out;
}

/** config.json content: the architecture record plus optional free-form `training` metadata. */
export function configFileObject(c: EntropyTransformerConfig, training?: object): Record<string, unknown> {
  return training === undefined ? architectureRecord(c) : { ...architectureRecord(c), training };
}

/** The MODEL_FORMAT error for a model file that is not JSON (`parseMessage`: JSON.parse's words). */
export function notJson(source: string, parseMessage: string): BltError {
  return new BltError(
    'MODEL_FORMAT',
    `${source}: not valid JSON (${parseMessage}).`,
    'the file is corrupt; re-save the model',
  );
}

/** Parses and validates config.json text. MODEL_FORMAT errors name `source`. */
export function parseConfigFile(
  text: string,
  source: string,
): { config: EntropyTransformerConfig; training: object | undefined } {
  const raw = parseJson(text, (m) => notJson(source, m));
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new BltError('MODEL_FORMAT', `${source}: expected a JSON object.`);
  const { format, version, training, ...arch } = raw as Record<string, unknown>;
  if (format !== MODEL_FORMAT_NAME || version !== MODEL_FORMAT_VERSION) {
    throw new BltError(
      'MODEL_FORMAT',
      `${source}: expected format "${MODEL_FORMAT_NAME}" version ${MODEL_FORMAT_VERSION}, got ` +
        `format ${JSON.stringify(format)} version ${JSON.stringify(version)}.`,
      'this is not a blt entropy-transformer model directory, or it was written by a newer version of the tool',
    );
  }
  if (training !== undefined && (typeof training !== 'object' || training === null || Array.isArray(training))) {
    throw new BltError('MODEL_FORMAT', `${source}: \`training\` must be an object.`);
  }
  try {
    return { config: validateEntropyConfig(arch, 'config.json'), training: training as object | undefined };
  } catch (err) {
    if (err instanceof BltError) throw new BltError('MODEL_FORMAT', `${source}: ${err.message}`);
    throw err;
  }
}
