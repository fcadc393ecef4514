import type { ConvInfo } from '../conv-kernels.js';
import type { TypedArray } from '../../tensor/dtype.js';

// The patch ("column") matrix of a convolution: one row per output position (batch included, in
// output order), one column per filter tap and input channel, in the filter's [kd, kh, kw, c] order,
// so that y = patches · filter[K, F] with K = KD·KH·KW·C. Taps that fall in the padding are zeros.
// Rows are built a block at a time into caller-owned scratch, which keeps memory bounded.

/** Columns of the patch matrix: KD·KH·KW·C. */
export function patchWidth(info: ConvInfo): number {
  return info.kernel[0] * info.kernel[1] * info.kernel[2] * info.inChannels;
}

/** Output positions of the whole batch: the rows of the patch matrix. */
export function patchRows(info: ConvInfo): number {
  return info.batch * info.outSize[0] * info.outSize[1] * info.outSize[2];
}

/**
 * Writes rows [p0, p0 + rows) of the patch matrix of x into col (row r at col[r·K]). Runs of taps that
 * are contiguous in x (dilation 1 along width) are copied as one stretch of KW·C values.
 */
export function im2col(xv: TypedArray, info: ConvInfo, p0: number, rows: number, col: Float64Array): void {
  const C = info.inChannels;
  const [D, H, W] = info.inSize, [OD, OH, OW] = info.outSize, [KD, KH, KW] = info.kernel;
  const [SD, SH, SW] = info.strides, [DD, DH, DW] = info.dilations, [PD, PH, PW] = info.padBefore;
  const KWC = KW * C, K = KD * KH * KWC;
  const sH = W * C, sD = H * sH, sN = D * sD;
  const wSpan = (KW - 1) * DW; // reach of the window along width, less one
  // Decompose p0 into (n, od, oh, ow), then step through positions in order.
  let ow = p0 % OW, q = (p0 - ow) / OW;
  let oh = q % OH;
  q = (q - oh) / OH;
  let od = q % OD;
  let n = (q - od) / OD;
  let r = 0;
  for (let p = 0; p < rows; p++) {
    const iw0 = ow * SW - PW;
    const fullW = iw0 >= 0 && iw0 + wSpan < W;
    let o = r;
    for (let kd = 0; kd < KD; kd++) {
      const id = od * SD - PD + kd * DD;
      if (id < 0 || id >= D) {
        col.fill(0, o, o + KH * KWC);
        o += KH * KWC;
        continue;
      }
      for (let kh = 0; kh < KH; kh++, o += KWC) {
        const ih = oh * SH - PH + kh * DH;
        if (ih < 0 || ih >= H) {
          col.fill(0, o, o + KWC);
          continue;
        }
        const rowBase = n * sN + id * sD + ih * sH;
        if (fullW && DW === 1) {
          const s = rowBase + iw0 * C;
          for (let j = 0; j < KWC; j++) col[o + j] = xv[s + j];
        } else {
          for (let kw = 0; kw < KW; kw++) {
            const iw = iw0 + kw * DW, oc = o + kw * C;
            if (iw < 0 || iw >= W) {
              for (let c = 0; c < C; c++) col[oc + c] = 0;
            } else {
              const s = rowBase + iw * C;
              for (let c = 0; c < C; c++) col[oc + c] = xv[s + c];
            }
          }
        }
      }
    }
    r += K;
    if (++ow === OW) {
      ow = 0;
      if (++oh === OH) {
        oh = 0;
        if (++od === OD) {
          od = 0;
          n++;
        }
      }
    }
  }
}

/**
 * The adjoint of im2col: adds rows [p0, p0 + rows) of a patch-shaped matrix back onto dx (layout of x),
 * each entry onto the input element it was copied from; padding entries are dropped.
 */
export function col2im(col: Float64Array, info: ConvInfo, p0: number, rows: number, dx: Float64Array): void {
  const C = info.inChannels;
  const [D, H, W] = info.inSize, [OD, OH, OW] = info.outSize, [KD, KH, KW] = info.kernel;
  const [SD, SH, SW] = info.strides, [DD, DH, DW] = info.dilations, [PD, PH, PW] = info.padBefore;
  const KWC = KW * C, K = KD * KH * KWC;
  const sH = W * C, sD = H * sH, sN = D * sD;
  const wSpan = (KW - 1) * DW;
  let ow = p0 % OW, q = (p0 - ow) / OW;
  let oh = q % OH;
  q = (q - oh) / OH;
  let od = q % OD;
  let n = (q - od) / OD;
  let r = 0;
  for (let p = 0; p < rows; p++) {
    const iw0 = ow * SW - PW;
    const fullW = iw0 >= 0 && iw0 + wSpan < W;
    let o = r;
    for (let kd = 0; kd < KD; kd++) {
      const id = od * SD - PD + kd * DD;
      if (id < 0 || id >= D) {
        o += KH * KWC;
        continue;
      }
      for (let kh = 0; kh < KH; kh++, o += KWC) {
        const ih = oh * SH - PH + kh * DH;
        if (ih < 0 || ih >= H) continue;
        const rowBase = n * sN + id * sD + ih * sH;
        if (fullW && DW === 1) {
          const s = rowBase + iw0 * C;
          for (let j = 0; j < KWC; j++) dx[s + j] += col[o + j];
        } else {
          for (let kw = 0; kw < KW; kw++) {
            const iw = iw0 + kw * DW;
            if (iw < 0 || iw >= W) continue;
            const s = rowBase + iw * C, oc = o + kw * C;
            for (let c = 0; c < C; c++) dx[s + c] += col[oc + c];
          }
        }
      }
    }
    r += K;
    if (++ow === OW) {
      ow = 0;
      if (++oh === OH) {
        oh = 0;
        if (++od === OD) {
          od = 0;
          n++;
        }
      }
    }
  }
}
