import type { Model } from '../model/model.js';

/** The data types a weight can have in a TensorFlow.js manifest that Strata reads. */
export type WeightDType = 'float32' | 'int32' | 'bool';

/** One weight in a manifest: its name, shape and dtype (optionally quantized, as the tfjs converter writes). */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: WeightDType;
  /** 'optimizer' for optimizer state that TensorFlow.js wrote. */
  group?: string;
  /** Affine-quantized weights written by the tfjs converter: value = q·scale + min (or float16). */
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number };
}

/** One group of the weights manifest: the shard files holding the group's weights, concatenated in order. */
export interface WeightGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** Keras topology: `{ class_name, config, keras_version, backend }`. */
export interface ModelTopology {
  class_name: string;
  config: Record<string, unknown>;
  keras_version?: string;
  backend?: string;
}

/** Keras training configuration, as TensorFlow.js writes it with `includeOptimizer`. */
export interface TrainingConfig {
  loss: string | string[] | Record<string, string>;
  metrics?: string[] | Record<string, string | string[]>;
  optimizer_config: { class_name: string; config: Record<string, unknown> };
  loss_weights?: number[] | Record<string, number>;
}

/** The content of model.json. */
export interface ModelJSON {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology: ModelTopology | { model_config: ModelTopology };
  weightsManifest: WeightGroup[];
  trainingConfig?: TrainingConfig;
  /**
   * Strata's optimizer state (`optimizer.getWeights()`, names from `getNamedWeights`), kept out of
   * `weightsManifest` so that TensorFlow.js, which reads only the keys it knows, ignores it.
   */
  strataOptimizer?: { weightsManifest: WeightGroup[] };
  userDefinedMetadata?: Record<string, unknown>;
}

/**
 * A model in memory, between a model and its storage (TensorFlow.js' ModelArtifacts): topology,
 * weight specs and the weights' bytes concatenated in spec order.
 */
export interface ModelArtifacts {
  modelTopology: ModelTopology | { model_config: ModelTopology };
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: TrainingConfig;
  weightSpecs?: WeightSpec[];
  weightData?: ArrayBuffer;
  /** Strata's optimizer state: specs and bytes (see ModelJSON.strataOptimizer). */
  optimizerSpecs?: WeightSpec[];
  optimizerData?: ArrayBuffer;
  userDefinedMetadata?: Record<string, unknown>;
}

/** What a save handler reports. */
export interface SaveResult {
  /** Where the model went (a folder path, or what a custom handler returned). */
  location?: string;
  modelJsonBytes?: number;
  weightDataBytes?: number;
  [key: string]: unknown;
}

/** What `model.save` hands a save handler beside the artifacts (handlers that write other formats use the model). */
export interface SaveContext {
  model?: Model;
}

/** Storage for models: `save` writes artifacts, `load` reads them (TensorFlow.js' IOHandler). */
export interface IOHandler {
  save?(artifacts: ModelArtifacts, context?: SaveContext): Promise<SaveResult>;
  load?(): Promise<ModelArtifacts>;
}

/** Limits and options of `loadLayersModel`. */
export interface LoadOptions {
  /** Most bytes of weights (model + optimizer) and of layer weights built from the topology; default 2^31. */
  maxWeightBytes?: number;
  /** Most bytes of one layer's output for one example (batch 1), checked from the topology; default maxWeightBytes. */
  maxActivationBytes?: number;
  /** Most bytes of model.json; default 64 MiB. */
  maxJsonBytes?: number;
  /** Deepest JSON nesting accepted in model.json; default 200. */
  maxJsonDepth?: number;
  /** Restore the optimizer state and compile the model when the file has a training config (default true). */
  compile?: boolean;
}
