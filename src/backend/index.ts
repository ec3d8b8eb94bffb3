/** The compute-backend module: selection, wasm kernel fixes, machine limits, doctor report. */
export {
  availableCores,
  BACKEND_REQUESTS,
  initBackend,
  parseBackendRequest,
  type BackendCandidate,
  type BackendInfo,
  type BackendName,
  type BackendRequest,
} from './select-backend.js';
export { measureMatmulGflops, type MatmulGflops, type MatmulGflopsOptions } from './matmul-gflops.js';
export { libraryVersion, libraryVersions, NOT_INSTALLED, REPORTED_LIBRARIES } from './library-versions.js';
export { collectDoctorReport, formatDoctorReport, type DoctorOptions, type DoctorReport } from './doctor-report.js';
export { closeness, runOnBackend, type BackendRun, type Closeness } from './backend-parity.js';
export { isWasmBatchMatMulPatched, patchWasmBatchMatMul, unpatchWasmBatchMatMul } from './wasm-batch-matmul.js';
export { registerMissingWasmKernels, wasmKernelFixes } from './wasm-kernels.js';
