import { ConfigError, ShapeError, fmtShape } from '../errors.js';

/** Padding of a sliding-window op: a mode, one number for every side, or [before, after] per spatial dim. */
export type Padding = 'valid' | 'same' | 'causal' | number | [number, number][];

/** Output size and padding of each spatial dimension of a sliding-window op (conv or pool). */
export interface WindowPlan {
  outSize: number[];
  padBefore: number[];
  padAfter: number[];
}

/**
 * Reads a size option given as one number or one per spatial dimension (kernelSize, strides,
 * dilations) and checks each is a positive integer.
 */
export function expandTuple(op: string, name: string, v: number | readonly number[] | undefined, rank: number, fallback: number): number[] {
  const list = v === undefined ? new Array<number>(rank).fill(fallback) : typeof v === 'number' ? new Array<number>(rank).fill(v) : v.slice();
  if (list.length !== rank || list.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new ConfigError(`${op}: ${name} must be a positive integer or a tuple of ${rank}, got ${JSON.stringify(v)}`);
  }
  return list;
}

/**
 * Plans a sliding window over `inSize` (spatial dims only) with DESIGN.md's padding arithmetic:
 * 'valid' out = ceil((in − kEff + 1) / s); 'same' out = ceil(in / s), the smaller half of the padding
 * before; 'causal' (1-D) pads kEff − 1 before; numbers pad explicitly. kEff = (k − 1)·dilation + 1.
 */
export function planWindow(op: string, inSize: readonly number[], kernel: readonly number[], strides: readonly number[],
  dilations: readonly number[], padding: Padding): WindowPlan {
  const rank = inSize.length;
  const plan: WindowPlan = { outSize: [], padBefore: [], padAfter: [] };
  if (padding === 'causal' && rank !== 1) {
    throw new ConfigError(`${op}: padding 'causal' is for 1-D windows only, got ${rank} spatial dimensions; use 'same' or 'valid'`);
  }
  if (Array.isArray(padding) && (padding.length !== rank ||
      padding.some((p) => !Array.isArray(p) || p.length !== 2 || p.some((q) => !Number.isInteger(q) || q < 0)))) {
    throw new ConfigError(`${op}: explicit padding must be ${rank} pairs [before, after] of non-negative integers, got ${JSON.stringify(padding)}`);
  }
  if (typeof padding === 'number' && (!Number.isInteger(padding) || padding < 0)) {
    throw new ConfigError(`${op}: padding must be a non-negative integer, got ${padding}`);
  }
  if (typeof padding === 'string' && !['valid', 'same', 'causal'].includes(padding)) {
    throw new ConfigError(`${op}: padding must be 'valid', 'same'${rank === 1 ? ", 'causal'" : ''}, a number or [before, after] pairs, got '${padding}'`);
  }
  for (let i = 0; i < rank; i++) {
    const n = inSize[i], s = strides[i];
    const kEff = (kernel[i] - 1) * dilations[i] + 1;
    let before: number, after: number;
    if (padding === 'valid') {
      before = after = 0;
    } else if (padding === 'same') {
      const out = Math.ceil(n / s);
      const total = Math.max(0, (out - 1) * s + kEff - n);
      before = Math.floor(total / 2);
      after = total - before;
    } else if (padding === 'causal') {
      before = kEff - 1;
      after = 0;
    } else if (typeof padding === 'number') {
      before = after = padding;
    } else {
      [before, after] = (padding as [number, number][])[i];
    }
    const out = Math.floor((n + before + after - kEff) / s) + 1;
    if (out < 1) {
      throw new ShapeError(`${op}: the window (size ${kEff} after dilation) is larger than the padded input ` +
        `${fmtShape(inSize)} in spatial dimension ${i}; use padding 'same' or a smaller kernel`);
    }
    plan.outSize.push(out);
    plan.padBefore.push(before);
    plan.padAfter.push(after);
  }
  return plan;
}
