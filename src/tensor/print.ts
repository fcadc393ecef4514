import type { DType, TypedArray } from './dtype.js';

const EDGE = 3;        // items shown at each end of a long axis
const THRESHOLD = 1000; // summarize tensors bigger than this, as NumPy does

function formatNumber(v: number, dtype: DType): string {
  if (dtype === 'int32') return String(v);
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.`;
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e8)) return v.toExponential(4);
  const rounded = Number(v.toPrecision(dtype === 'float32' ? 7 : 15));
  return Number.isInteger(rounded) ? `${rounded}.` : String(rounded);
}

/** Renders storage of the given shape the way NumPy prints arrays. */
export function formatTensor(values: TypedArray, shape: readonly number[], dtype: DType): string {
  const summarize = values.length > THRESHOLD;
  const strs = new Map<number, string>();
  let width = 0;
  const fmt = (i: number): string => {
    let s = strs.get(i);
    if (s === undefined) {
      s = formatNumber(values[i], dtype);
      strs.set(i, s);
    }
    return s;
  };
  const shown = (n: number): number[] =>
    summarize && n > 2 * EDGE
      ? [...Array.from({ length: EDGE }, (_, i) => i), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)]
      : Array.from({ length: n }, (_, i) => i);
  // First pass: the widest number among those printed, so columns align.
  const visit = (dim: number, offset: number, stride: number): void => {
    if (dim === shape.length) {
      width = Math.max(width, fmt(offset).length);
      return;
    }
    const inner = stride / shape[dim];
    for (const i of shown(shape[dim])) if (i >= 0) visit(dim + 1, offset + i * inner, inner);
  };
  visit(0, 0, values.length);
  const render = (dim: number, offset: number, stride: number, indent: string): string => {
    if (dim === shape.length) return fmt(offset).padStart(width);
    const inner = stride / shape[dim];
    const parts = shown(shape[dim]).map((i) => (i < 0 ? '...' : render(dim + 1, offset + i * inner, inner, indent + ' ')));
    const last = dim === shape.length - 1;
    const sep = last ? ', ' : ',' + '\n'.repeat(shape.length - dim - 1) + indent + ' ';
    return '[' + parts.join(sep) + ']';
  };
  if (shape.length === 0) return fmt(0);
  return render(0, 0, values.length, '');
}
