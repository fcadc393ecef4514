import { Tensor } from '../../tensor/tensor.js';
import { alloc } from '../../tensor/dtype.js';
import { sizeOf } from '../../tensor/shape.js';

/**
 * Softmax (or log-softmax) along `axis`: x viewed as [outer, n, inner]. The max is subtracted
 * before exponentiating, so large logits do not overflow. When the axis is not the last one, the
 * loops run over whole rows of `inner` values, reading memory in order.
 */
export function softmaxAlong(x: Tensor, axis: number, log: boolean): Tensor {
  const shape = x.shape;
  const n = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const size = x.size;
  const out = alloc(x.dtype === 'int32' ? 'float32' : x.dtype, size);
  if (size === 0) return new Tensor(out, shape);
  const outer = size / (n * inner);
  const v = x.values;
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const base = o * n;
      let mx = -Infinity;
      for (let k = 0; k < n; k++) { const t = v[base + k]; if (t > mx || t !== t) mx = t; if (mx !== mx) break; }
      let sum = 0;
      for (let k = 0; k < n; k++) {
        const e = Math.exp(v[base + k] - mx);
        sum += e;
        if (!log) out[base + k] = e;
      }
      if (log) {
        const shift = mx + Math.log(sum);
        for (let k = 0; k < n; k++) out[base + k] = v[base + k] - shift;
      } else {
        const inv = 1 / sum;
        for (let k = 0; k < n; k++) out[base + k] *= inv;
      }
    }
    return new Tensor(out, shape);
  }
  const mx = new Float64Array(inner);
  const sum = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    mx.fill(-Infinity);
    sum.fill(0);
    for (let k = 0; k < n; k++) {
      const row = base + k * inner;
      for (let i = 0; i < inner; i++) { const t = v[row + i]; if (t > mx[i] || t !== t) mx[i] = t !== t || mx[i] !== mx[i] ? NaN : t; }
    }
    for (let k = 0; k < n; k++) {
      const row = base + k * inner;
      for (let i = 0; i < inner; i++) {
        const e = Math.exp(v[row + i] - mx[i]);
        sum[i] += e;
        if (!log) out[row + i] = e;
      }
    }
    if (log) {
      for (let i = 0; i < inner; i++) sum[i] = mx[i] + Math.log(sum[i]);
      for (let k = 0; k < n; k++) {
        const row = base + k * inner;
        for (let i = 0; i < inner; i++) out[row + i] = v[row + i] - sum[i];
      }
    } else {
      for (let i = 0; i < inner; i++) sum[i] = 1 / sum[i];
      for (let k = 0; k < n; k++) {
        const row = base + k * inner;
        for (let i = 0; i < inner; i++) out[row + i] *= sum[i];
      }
    }
  }
  return new Tensor(out, shape);
}
