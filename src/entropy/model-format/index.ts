export { loadEntropyModel, modelFingerprint, saveEntropyModel } from './model-dir.js';
