import { createHash } from 'node:crypto';
import { canonicalJson } from '../../core/canonical-json.js';
import { architectureRecord } from './config-file.js';
import type { EntropyTransformerConfig } from '../transformer/types.js';

/**
 * Model fingerprint (docs/entropy-model-format.md): lowercase hex sha256 over the UTF-8 canonical
 * JSON of config.json's architecture fields (format, version and the architecture; `training`
 * excluded) followed by the raw bytes of model.safetensors.
 */
export function fingerprintOf(config: EntropyTransformerConfig, safetensorsBytes: Uint8Array): string {
  return createHash('sha256')
    .update(canonicalJson(architectureRecord(config)), 'utf8')
    .update(safetensorsBytes)
    .digest('hex');
}
