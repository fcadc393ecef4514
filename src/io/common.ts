// st.io on every platform: model artifacts, handlers that need no file system, the router registry.
export { ModelFileError } from './errors.js';
export type { IOHandler, ModelArtifacts, ModelJSON, ModelTopology, TrainingConfig, WeightSpec, WeightGroup, WeightDType, SaveResult, SaveContext, LoadOptions } from './types.js';
export { http } from './http.js';
export { fromMemory, withSaveHandler } from './memory.js';
export { saveModel, modelArtifacts, type SaveOptions } from './save.js';
export { loadLayersModel, modelFromArtifacts } from './load.js';
export { encodeWeights, decodeWeights } from './weights.js';
export { DEFAULT_MAX_WEIGHT_BYTES } from './validate.js';
export { exportOnnx, ONNX_EXPORTABLE_LAYERS } from './onnx/export.js';
export { loadOnnxModel, onnxToModel, ONNX_IMPORTABLE_OPS, type OnnxLoadOptions } from './onnx/import.js';
export {
  registerSaveRouter, registerLoadRouter, getSaveHandlers, getLoadHandlers, ROUTER_PRIORITY,
  type IORouter, type RouterOptions,
} from './router.js';
