/**
 * The W2–W5 models as library-neutral layer lists, and their synthetic data. Strata and TensorFlow.js
 * share the Keras layer names and option names, so one description builds the same model in both
 * (`lib.layers[factory](options)`); the data are the same numbers for every implementation.
 */
import { BATCH, type ModelId } from './catalog.js';

export interface LayerSpec {
  /** Factory name, the same in `st.layers` and `tf.layers`. */
  factory: string;
  options: Record<string, unknown>;
}

export interface ModelSpec {
  layers: LayerSpec[];
  /** Loss name, the same in Strata and TensorFlow.js. */
  loss: string;
}

/** W5: vocabulary, embedding width, recurrent units and sequence length. */
export const RNN = { vocabulary: 5000, embedding: 32, units: 64, sequence: 100 } as const;

const L = (factory: string, options: Record<string, unknown> = {}): LayerSpec => ({ factory, options });

function recurrent(cell: 'lstm' | 'gru' | 'simpleRNN', sequence: number = RNN.sequence): ModelSpec {
  return {
    layers: [
      L('embedding', { inputDim: RNN.vocabulary, outputDim: RNN.embedding, inputShape: [sequence] }),
      L(cell, { units: RNN.units }),
      L('dense', { units: 1, activation: 'sigmoid' }),
    ],
    loss: 'binaryCrossentropy',
  };
}

/** The layers and loss of each model (training uses Adam, learning rate 1e-3, everywhere). */
export const MODELS: Record<ModelId, ModelSpec> = {
  mlp: {
    layers: [L('dense', { units: 128, activation: 'relu', inputShape: [784] }), L('dense', { units: 10, activation: 'softmax' })],
    loss: 'categoricalCrossentropy',
  },
  cnn: {
    layers: [
      L('conv2d', { filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      L('maxPooling2d', { poolSize: 2 }),
      L('conv2d', { filters: 64, kernelSize: 3, activation: 'relu' }),
      L('maxPooling2d', { poolSize: 2 }),
      L('flatten'),
      L('dense', { units: 128, activation: 'relu' }),
      L('dropout', { rate: 0.5 }),
      L('dense', { units: 10, activation: 'softmax' }),
    ],
    loss: 'categoricalCrossentropy',
  },
  upsampler: {
    layers: [
      L('conv2d', { filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [14, 14, 1] }),
      L('conv2dTranspose', { filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      L('conv2d', { filters: 1, kernelSize: 3, padding: 'same', activation: 'sigmoid' }),
    ],
    loss: 'meanSquaredError',
  },
  lstm: recurrent('lstm'),
  gru: recurrent('gru'),
  'simple-rnn': recurrent('simpleRNN'),
};

/** A model's layers with the W5 sequence length `sequence` (the scaling figures); others are unchanged. */
export function modelSpec(model: ModelId, sequence?: number): ModelSpec {
  if (sequence === undefined || sequence === RNN.sequence) return MODELS[model];
  const cells: Partial<Record<ModelId, 'lstm' | 'gru' | 'simpleRNN'>> = { lstm: 'lstm', gru: 'gru', 'simple-rnn': 'simpleRNN' };
  const cell = cells[model];
  return cell ? recurrent(cell, sequence) : MODELS[model];
}

/** Plain values and shape of one tensor, for any library to wrap. */
export interface RawTensor {
  values: Float32Array | Int32Array;
  shape: number[];
  dtype: 'float32' | 'int32';
}

/** Seeded uniform [0, 1) numbers (mulberry32): the same data in every implementation and run. */
function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform [0, 1) float32 values, or standard normal ones (Box–Muller) with `normal`. */
export function randomRaw(shape: number[], seed: number, normal = false): RawTensor {
  const next = uniform(seed);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) {
    values[i] = normal ? Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()) : next();
  }
  return { values, shape, dtype: 'float32' };
}

/** `count` one-hot rows of `classes` columns, with random classes. */
function oneHotRaw(count: number, classes: number, seed: number): RawTensor {
  const next = uniform(seed);
  const values = new Float32Array(count * classes);
  for (let i = 0; i < count; i++) values[i * classes + Math.floor(next() * classes)] = 1;
  return { values, shape: [count, classes], dtype: 'float32' };
}

function tokensRaw(shape: number[], vocabulary: number, seed: number): RawTensor {
  const next = uniform(seed);
  const values = new Int32Array(shape[0] * shape[1]);
  for (let i = 0; i < values.length; i++) values[i] = Math.floor(next() * vocabulary);
  return { values, shape, dtype: 'int32' };
}

/**
 * One fixed batch (inputs, targets) of a model, `batch` samples (default the model's batch size),
 * W5 sequences `sequence` tokens long.
 */
export function batchFor(model: ModelId, batch = BATCH[model], seed = 1, sequence: number = RNN.sequence): { x: RawTensor; y: RawTensor } {
  switch (model) {
    case 'mlp':
      return { x: randomRaw([batch, 784], seed), y: oneHotRaw(batch, 10, seed + 1) };
    case 'cnn':
      return { x: randomRaw([batch, 28, 28, 1], seed), y: oneHotRaw(batch, 10, seed + 1) };
    case 'upsampler':
      return { x: randomRaw([batch, 14, 14, 1], seed), y: randomRaw([batch, 28, 28, 1], seed + 1) };
    default: {
      const y = randomRaw([batch, 1], seed + 1);
      y.values = y.values.map((v) => (v < 0.5 ? 0 : 1));
      return { x: tokensRaw([batch, sequence], RNN.vocabulary, seed), y };
    }
  }
}
