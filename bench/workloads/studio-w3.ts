/**
 * The W3 CNN as a Strata Studio graph (conv 32 → pool → conv 64 → pool → flatten → dense 128 →
 * dropout → dense 10), trained on MNIST digits: the graph the studio's server tests and
 * `npm run bench:studio-memory` send to the studio's API.
 */
import type { StudioGraph } from '../../src/studio/server/graph.js';

const LAYERS: [string, string, Record<string, unknown>][] = [
  ['input', 'input', { shape: [28, 28, 1] }],
  ['conv_a', 'conv2d', { filters: 32, kernelSize: 3, activation: 'relu' }],
  ['pool_a', 'maxPooling2d', { poolSize: 2 }],
  ['conv_b', 'conv2d', { filters: 64, kernelSize: 3, activation: 'relu' }],
  ['pool_b', 'maxPooling2d', { poolSize: 2 }],
  ['flat', 'flatten', {}],
  ['hidden', 'dense', { units: 128, activation: 'relu' }],
  ['drop', 'dropout', { rate: 0.5 }],
  ['out', 'dense', { units: 10, activation: 'softmax' }],
];

/** The W3 graph, training on the first `limit` MNIST digits for `epochs` epochs at batch 32 (a fresh copy: callers edit it). */
export function studioW3Graph(limit: number, epochs: number): StudioGraph {
  return {
    version: 1,
    nodes: LAYERS.map(([id, type, params]) => ({ id, type, params: structuredClone(params) })),
    edges: LAYERS.slice(1).map(([id], i) => ({ from: LAYERS[i][0], to: id })),
    training: { dataset: 'mnist', limit, epochs, batchSize: 32, validationSplit: 0.2 },
  };
}
