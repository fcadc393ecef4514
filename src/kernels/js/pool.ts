import type { Pool3dInfo, PoolKernels } from '../pool-kernels.js';
import { Tensor } from '../../tensor/tensor.js';
import { alloc } from '../../tensor/dtype.js';
import { sizeOf } from '../../tensor/shape.js';

// Every kernel walks the output positions in order and clips each window to the input, so padding
// is never read: max ignores it and average divides by the count of valid elements (Keras 'same').
// Channels are innermost in storage, so the innermost loop runs over channels, contiguously.

function outShapeOf(p: Pool3dInfo): number[] {
  return [p.batch, p.outD, p.outH, p.outW, p.channels];
}

function maxPool3d(x: Tensor, p: Pool3dInfo): Tensor {
  const { batch, inD, inH, inW, channels: C, filterD, filterH, filterW, strideD, strideH, strideW, padFront, padTop, padLeft, outD, outH, outW } = p;
  const xv = x.values;
  const out = alloc(x.dtype, batch * outD * outH * outW * C);
  const best = new Float64Array(C);
  const sH = inW * C, sD = inH * sH, sN = inD * sD;
  let o = 0;
  for (let n = 0; n < batch; n++) {
    for (let od = 0; od < outD; od++) {
      const d0 = od * strideD - padFront, dS = Math.max(0, d0), dE = Math.min(inD, d0 + filterD);
      for (let oh = 0; oh < outH; oh++) {
        const h0 = oh * strideH - padTop, hS = Math.max(0, h0), hE = Math.min(inH, h0 + filterH);
        for (let ow = 0; ow < outW; ow++) {
          const w0 = ow * strideW - padLeft, wS = Math.max(0, w0), wE = Math.min(inW, w0 + filterW);
          const first = n * sN + dS * sD + hS * sH + wS * C;
          for (let c = 0; c < C; c++) best[c] = xv[first + c];
          for (let d = dS; d < dE; d++) {
            for (let h = hS; h < hE; h++) {
              for (let w = wS; w < wE; w++) {
                const base = n * sN + d * sD + h * sH + w * C;
                for (let c = 0; c < C; c++) {
                  const v = xv[base + c];
                  // NaN propagates, as in max().
                  if (v > best[c] || v !== v) best[c] = v;
                }
              }
            }
          }
          for (let c = 0; c < C; c++) out[o + c] = best[c];
          o += C;
        }
      }
    }
  }
  return new Tensor(out, outShapeOf(p));
}

function maxPool3dArgmax(x: Tensor, p: Pool3dInfo): Tensor {
  const { batch, inD, inH, inW, channels: C, filterD, filterH, filterW, strideD, strideH, strideW, padFront, padTop, padLeft, outD, outH, outW } = p;
  const xv = x.values;
  const out = new Int32Array(batch * outD * outH * outW * C);
  const best = new Float64Array(C);
  const sH = inW * C, sD = inH * sH, sN = inD * sD;
  let o = 0;
  for (let n = 0; n < batch; n++) {
    for (let od = 0; od < outD; od++) {
      const d0 = od * strideD - padFront, dS = Math.max(0, d0), dE = Math.min(inD, d0 + filterD);
      for (let oh = 0; oh < outH; oh++) {
        const h0 = oh * strideH - padTop, hS = Math.max(0, h0), hE = Math.min(inH, h0 + filterH);
        for (let ow = 0; ow < outW; ow++) {
          const w0 = ow * strideW - padLeft, wS = Math.max(0, w0), wE = Math.min(inW, w0 + filterW);
          const first = n * sN + dS * sD + hS * sH + wS * C;
          for (let c = 0; c < C; c++) {
            best[c] = xv[first + c];
            out[o + c] = first + c;
          }
          for (let d = dS; d < dE; d++) {
            for (let h = hS; h < hE; h++) {
              for (let w = wS; w < wE; w++) {
                const base = n * sN + d * sD + h * sH + w * C;
                for (let c = 0; c < C; c++) {
                  const v = xv[base + c];
                  // Strictly greater: ties keep the first maximum in scan order, as TensorFlow.js.
                  if (v > best[c]) {
                    best[c] = v;
                    out[o + c] = base + c;
                  }
                }
              }
            }
          }
          o += C;
        }
      }
    }
  }
  return new Tensor(out, outShapeOf(p));
}

function maxPool3dWithArgmax(x: Tensor, p: Pool3dInfo): { values: Tensor; argmax: Tensor } {
  const argmax = maxPool3dArgmax(x, p);
  return { values: gatherFlat(x, argmax), argmax };
}

function gatherFlat(x: Tensor, indices: Tensor): Tensor {
  const xv = x.values, iv = indices.values;
  const out = alloc(x.dtype, indices.size);
  for (let i = 0; i < out.length; i++) out[i] = xv[iv[i]];
  return new Tensor(out, indices.shape);
}

function scatterAddFlat(dy: Tensor, indices: Tensor, shape: readonly number[]): Tensor {
  const dv = dy.values, iv = indices.values;
  const out = alloc(dy.dtype, sizeOf(shape));
  for (let i = 0; i < iv.length; i++) out[iv[i]] += dv[i];
  return new Tensor(out, shape);
}

function avgPool3d(x: Tensor, p: Pool3dInfo): Tensor {
  const { batch, inD, inH, inW, channels: C, filterD, filterH, filterW, strideD, strideH, strideW, padFront, padTop, padLeft, outD, outH, outW } = p;
  const xv = x.values;
  const out = alloc(x.dtype === 'int32' ? 'float32' : x.dtype, batch * outD * outH * outW * C);
  const acc = new Float64Array(C);
  const sH = inW * C, sD = inH * sH, sN = inD * sD;
  let o = 0;
  for (let n = 0; n < batch; n++) {
    for (let od = 0; od < outD; od++) {
      const d0 = od * strideD - padFront, dS = Math.max(0, d0), dE = Math.min(inD, d0 + filterD);
      for (let oh = 0; oh < outH; oh++) {
        const h0 = oh * strideH - padTop, hS = Math.max(0, h0), hE = Math.min(inH, h0 + filterH);
        for (let ow = 0; ow < outW; ow++) {
          const w0 = ow * strideW - padLeft, wS = Math.max(0, w0), wE = Math.min(inW, w0 + filterW);
          const count = (dE - dS) * (hE - hS) * (wE - wS);
          acc.fill(0);
          for (let d = dS; d < dE; d++) {
            for (let h = hS; h < hE; h++) {
              for (let w = wS; w < wE; w++) {
                const base = n * sN + d * sD + h * sH + w * C;
                for (let c = 0; c < C; c++) acc[c] += xv[base + c];
              }
            }
          }
          for (let c = 0; c < C; c++) out[o + c] = acc[c] / count;
          o += C;
        }
      }
    }
  }
  return new Tensor(out, outShapeOf(p));
}

function avgPool3dBackward(dy: Tensor, p: Pool3dInfo): Tensor {
  const { batch, inD, inH, inW, channels: C, filterD, filterH, filterW, strideD, strideH, strideW, padFront, padTop, padLeft, outD, outH, outW } = p;
  const dv = dy.values;
  const dx = alloc(dy.dtype === 'int32' ? 'float32' : dy.dtype, batch * inD * inH * inW * C);
  const share = new Float64Array(C);
  const sH = inW * C, sD = inH * sH, sN = inD * sD;
  let o = 0;
  for (let n = 0; n < batch; n++) {
    for (let od = 0; od < outD; od++) {
      const d0 = od * strideD - padFront, dS = Math.max(0, d0), dE = Math.min(inD, d0 + filterD);
      for (let oh = 0; oh < outH; oh++) {
        const h0 = oh * strideH - padTop, hS = Math.max(0, h0), hE = Math.min(inH, h0 + filterH);
        for (let ow = 0; ow < outW; ow++) {
          const w0 = ow * strideW - padLeft, wS = Math.max(0, w0), wE = Math.min(inW, w0 + filterW);
          const count = (dE - dS) * (hE - hS) * (wE - wS);
          for (let c = 0; c < C; c++) share[c] = dv[o + c] / count;
          for (let d = dS; d < dE; d++) {
            for (let h = hS; h < hE; h++) {
              for (let w = wS; w < wE; w++) {
                const base = n * sN + d * sD + h * sH + w * C;
                for (let c = 0; c < C; c++) dx[base + c] += share[c];
              }
            }
          }
          o += C;
        }
      }
    }
  }
  return new Tensor(dx, [batch, inD, inH, inW, C]);
}

/** Reference pool kernels. */
export const poolKernels: PoolKernels = {
  maxPool3d, maxPool3dArgmax, maxPool3dWithArgmax, gatherFlat, scatterAddFlat, avgPool3d, avgPool3dBackward,
};
