/**
 * One sample through every node of the graph: each node's output, cut down to what a picture of it
 * needs (feature maps as image grids, vectors as bars, sequences as heatmaps, images as images).
 */
import * as st from '../../index.js';
import type { BuiltGraph } from './graph.js';
import type { NodeView } from '../protocol.js';

export type { NodeView };

const MAX_MAPS = 16, MAX_BARS = 128, MAX_SIDE = 64;
const round = (v: number) => Math.round(v * 1e4) / 1e4;

/** Every built node's output for the batch-of-one `sample`. */
export function previewGraph(built: BuiltGraph, sample: st.Tensor, isImageInput: boolean): Record<string, NodeView> {
  const out: Record<string, NodeView> = {};
  const ids = built.order.filter((id) => built.tensors.has(id));
  if (built.inputs.length !== 1) {
    for (const id of ids) out[id] = { kind: 'error', message: 'the preview feeds one sample to one input; this graph has ' + built.inputs.length };
    return out;
  }
  let values: st.Tensor[];
  try {
    const probe = st.model({ inputs: built.tensors.get(built.inputs[0])!, outputs: ids.map((id) => built.tensors.get(id)!) });
    const y = probe.predict(sample);
    values = Array.isArray(y) ? y : [y];
  } catch (e) {
    for (const id of ids) out[id] = { kind: 'error', message: (e as Error).message };
    return out;
  }
  ids.forEach((id, k) => {
    out[id] = view(values[k], id === built.inputs[0] && isImageInput);
  });
  return out;
}

function view(t: st.Tensor, asImage: boolean): NodeView {
  const shape = t.shape.slice(1);
  const data = t.dataSync() as Float32Array;
  const { min, max } = range(data);
  if (shape.length === 3 && asImage && (shape[2] === 1 || shape[2] === 3)) {
    const [height, width, channels] = shape;
    return { kind: 'image', shape, height, width, channels, data: Array.from(data, round), min, max };
  }
  if (shape.length === 3 || shape.length === 4) {
    // Convolution volumes: the middle depth slice of a 3D one.
    const [d, h, w, c] = shape.length === 4 ? shape : [1, ...shape];
    const off = Math.floor(d / 2) * h * w * c;
    const sh = Math.max(1, Math.ceil(h / MAX_SIDE)), sw = Math.max(1, Math.ceil(w / MAX_SIDE));
    const height = Math.ceil(h / sh), width = Math.ceil(w / sw);
    const maps: number[][] = [];
    for (let ch = 0; ch < Math.min(c, MAX_MAPS); ch++) {
      const m: number[] = [];
      for (let i = 0; i < h; i += sh) for (let j = 0; j < w; j += sw) m.push(round(data[off + (i * w + j) * c + ch]));
      maps.push(m);
    }
    return { kind: 'maps', shape, height, width, maps, min, max };
  }
  if (shape.length === 2) {
    const [r, c] = shape;
    const sr = Math.max(1, Math.ceil(r / MAX_SIDE)), sc = Math.max(1, Math.ceil(c / MAX_SIDE));
    const cells: number[] = [];
    for (let i = 0; i < r; i += sr) for (let j = 0; j < c; j += sc) cells.push(round(data[i * c + j]));
    return { kind: 'heatmap', shape, rows: Math.ceil(r / sr), cols: Math.ceil(c / sc), data: cells, min, max };
  }
  const flat = Array.from(data.subarray(0, MAX_BARS), round);
  return { kind: 'bars', shape, data: flat, min, max };
}

function range(a: Float32Array): { min: number; max: number } {
  let min = Infinity, max = -Infinity;
  for (const v of a) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min: round(min === Infinity ? 0 : min), max: round(max === -Infinity ? 0 : max) };
}
