import type { ConvInfo, ConvKernels } from '../conv-kernels.js';
import { Tensor } from '../../tensor/tensor.js';
import { alloc, upcast } from '../../tensor/dtype.js';

// Depthwise convolution: input channel c meets only filter[..., c, m] and feeds output channel
// c·M + m, so x's channel row [C] lines up with the filter's and dy's rows [C·M] tap by tap.
// Same walk as conv.ts: output positions in order, taps that land inside x, float64 accumulation.

function depthwiseConv3d(x: Tensor, w: Tensor, info: ConvInfo): Tensor {
  const { batch: N, inChannels: C, multiplier: M } = info;
  const CM = C * M;
  const [D, H, W] = info.inSize, [OD, OH, OW] = info.outSize, [KD, KH, KW] = info.kernel;
  const [SD, SH, SW] = info.strides, [DD, DH, DW] = info.dilations, [PD, PH, PW] = info.padBefore;
  const xv = x.values, wv = w.values;
  const out = alloc(upcast(x.dtype, w.dtype), N * OD * OH * OW * CM);
  const acc = new Float64Array(CM);
  let o = 0;
  for (let n = 0; n < N; n++) {
    const xn = n * D * H * W * C;
    for (let od = 0; od < OD; od++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          acc.fill(0);
          for (let kd = 0; kd < KD; kd++) {
            const id = od * SD - PD + kd * DD;
            if (id < 0 || id >= D) continue;
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * SH - PH + kh * DH;
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * SW - PW + kw * DW;
                if (iw < 0 || iw >= W) continue;
                const xb = xn + ((id * H + ih) * W + iw) * C;
                const wb = ((kd * KH + kh) * KW + kw) * CM;
                if (M === 1) {
                  for (let c = 0; c < C; c++) acc[c] += xv[xb + c] * wv[wb + c];
                } else {
                  for (let c = 0; c < C; c++) {
                    const xc = xv[xb + c];
                    const j = c * M;
                    for (let m = 0; m < M; m++) acc[j + m] += xc * wv[wb + j + m];
                  }
                }
              }
            }
          }
          for (let j = 0; j < CM; j++) out[o + j] = acc[j];
          o += CM;
        }
      }
    }
  }
  return new Tensor(out, [N, OD, OH, OW, CM]);
}

function depthwiseConv3dBackpropInput(dy: Tensor, w: Tensor, info: ConvInfo): Tensor {
  const { batch: N, inChannels: C, multiplier: M } = info;
  const CM = C * M;
  const [D, H, W] = info.inSize, [OD, OH, OW] = info.outSize, [KD, KH, KW] = info.kernel;
  const [SD, SH, SW] = info.strides, [DD, DH, DW] = info.dilations, [PD, PH, PW] = info.padBefore;
  const dyv = dy.values, wv = w.values;
  const size = N * D * H * W * C;
  const acc = new Float64Array(size);
  let ob = 0;
  for (let n = 0; n < N; n++) {
    const xn = n * D * H * W * C;
    for (let od = 0; od < OD; od++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++, ob += CM) {
          for (let kd = 0; kd < KD; kd++) {
            const id = od * SD - PD + kd * DD;
            if (id < 0 || id >= D) continue;
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * SH - PH + kh * DH;
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * SW - PW + kw * DW;
                if (iw < 0 || iw >= W) continue;
                const xb = xn + ((id * H + ih) * W + iw) * C;
                const wb = ((kd * KH + kh) * KW + kw) * CM;
                if (M === 1) {
                  for (let c = 0; c < C; c++) acc[xb + c] += dyv[ob + c] * wv[wb + c];
                } else {
                  for (let c = 0; c < C; c++) {
                    const j = c * M;
                    let s = 0;
                    for (let m = 0; m < M; m++) s += dyv[ob + j + m] * wv[wb + j + m];
                    acc[xb + c] += s;
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  const out = alloc(upcast(dy.dtype, w.dtype), size);
  out.set(acc);
  return new Tensor(out, [N, D, H, W, C]);
}

function depthwiseConv3dBackpropFilter(x: Tensor, dy: Tensor, info: ConvInfo): Tensor {
  const { batch: N, inChannels: C, multiplier: M } = info;
  const CM = C * M;
  const [D, H, W] = info.inSize, [OD, OH, OW] = info.outSize, [KD, KH, KW] = info.kernel;
  const [SD, SH, SW] = info.strides, [DD, DH, DW] = info.dilations, [PD, PH, PW] = info.padBefore;
  const xv = x.values, dyv = dy.values;
  const size = KD * KH * KW * CM;
  const acc = new Float64Array(size);
  let ob = 0;
  for (let n = 0; n < N; n++) {
    const xn = n * D * H * W * C;
    for (let od = 0; od < OD; od++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++, ob += CM) {
          for (let kd = 0; kd < KD; kd++) {
            const id = od * SD - PD + kd * DD;
            if (id < 0 || id >= D) continue;
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * SH - PH + kh * DH;
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * SW - PW + kw * DW;
                if (iw < 0 || iw >= W) continue;
                const xb = xn + ((id * H + ih) * W + iw) * C;
                const wb = ((kd * KH + kh) * KW + kw) * CM;
                for (let c = 0; c < C; c++) {
                  const xc = xv[xb + c];
                  const j = wb + c * M;
                  const g = ob + c * M;
                  for (let m = 0; m < M; m++) acc[j + m] += xc * dyv[g + m];
                }
              }
            }
          }
        }
      }
    }
  }
  const out = alloc(upcast(x.dtype, dy.dtype), size);
  out.set(acc);
  return new Tensor(out, [KD, KH, KW, C, M]);
}

/** Reference depthwise conv kernels (3-D core; 2-D uses a unit depth). */
export const depthwiseKernels: Pick<ConvKernels,
  'depthwiseConv3d' | 'depthwiseConv3dBackpropInput' | 'depthwiseConv3dBackpropFilter'> = {
  depthwiseConv3d,
  depthwiseConv3dBackpropInput,
  depthwiseConv3dBackpropFilter,
};
