// Development shim: when blt runs from TypeScript sources (tsx, mocha), worker threads do not
// inherit tsx's ESM hooks, so dynamic imports of .ts files inside the worker would fail.
// This registers tsx in the worker, then loads the real worker. The built package (dist/)
// uses workers/preprocess-worker.js directly and never loads this file.
import { register } from 'tsx/esm/api';

register();
const worker = await import('./preprocess-worker.ts');
export default worker.default;
