/** Histogram buckets for TensorBoard summaries (no dependencies, so callers need not load the encoder). */

/**
 * Buckets of a histogram as TensorFlow.js-node computes them: `count` equal-width buckets from the
 * minimum to the maximum (the last one closed), or one bucket [v − 0.5, v + 0.5] when every value
 * is v, or none for no data. Returns rows of (left, right, count), flattened.
 */
export function histogramBuckets(values: ArrayLike<number>, count = 30): Float32Array {
  const n = values.length;
  if (n === 0) return new Float32Array(0);
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = Math.fround(values[i]);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (max === min) return new Float32Array([min - 0.5, min + 0.5, n]);
  const width = (max - min) / count;
  const out = new Float32Array(count * 3);
  for (let i = 0; i < n; i++) {
    const b = Math.min(Math.floor((Math.fround(values[i]) - min) / width), count - 1);
    out[b * 3 + 2]++;
  }
  for (let b = 0; b < count; b++) {
    out[b * 3] = min + b * width;
    out[b * 3 + 1] = b === count - 1 ? max : min + (b + 1) * width;
  }
  return out;
}
