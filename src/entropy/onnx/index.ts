export {
  buildEntropyOnnx,
  buildEntropyOnnxGraphs,
  type OnnxEntropyGraphs,
  type OnnxGraphOptions,
} from './build-graph.js';
export { loadOrt, ortAvailable, type Ort } from './load-ort.js';
export { OnnxEntropyScorer, type OnnxExecutionProvider, type OnnxScorerOptions } from './onnx-scorer.js';
export { OnnxRowInputs } from './row-inputs.js';
