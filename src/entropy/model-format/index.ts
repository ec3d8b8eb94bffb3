export { canonicalJson } from '../../core/canonical-json.js';
export { architectureRecord, MODEL_FORMAT_NAME, MODEL_FORMAT_VERSION, parseConfigFile } from './config-file.js';
export { fingerprintOf } from './fingerprint.js';
export {
  CONFIG_FILE,
  loadEntropyModel,
  META_FILE,
  modelFingerprint,
  saveEntropyModel,
  WEIGHTS_FILE,
  type EntropyModelMeta,
  type LoadedEntropyModel,
} from './model-dir.js';
export { decodeSafetensors, encodeSafetensors, readSafetensors, type SafetensorsContent } from './safetensors.js';
