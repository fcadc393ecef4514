// st.io: model files in the TensorFlow.js layers format, and where they are stored.
export { ModelFileError } from './errors.js';
export type { IOHandler, ModelArtifacts, ModelJSON, ModelTopology, TrainingConfig, WeightSpec, WeightGroup, WeightDType, SaveResult, LoadOptions } from './types.js';
export { fileSystem, http, fromMemory, withSaveHandler } from './handlers.js';
export { saveModel, modelArtifacts, type SaveOptions } from './save.js';
export { loadLayersModel, modelFromArtifacts } from './load.js';
export { encodeWeights, decodeWeights } from './weights.js';
export { DEFAULT_MAX_WEIGHT_BYTES } from './validate.js';
export { exportOnnx, ONNX_EXPORTABLE_LAYERS } from './onnx/export.js';
export { loadOnnxModel, onnxToModel, ONNX_IMPORTABLE_OPS, type OnnxLoadOptions } from './onnx/import.js';
