import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Activation } from '../activations/index.js';
import { type Initializer, type InitializerIdentifier, getInitializer } from '../initializers/index.js';
import { type Regularizer, type RegularizerIdentifier, getRegularizer } from '../regularizers/index.js';
import { type Constraint, type ConstraintIdentifier, getConstraint } from '../constraints/index.js';
import type { LayerOptions } from './layer.js';
import type { DropoutShorthand } from './shorthands.js';

export { type DropoutShorthand, readDropout } from './shorthands.js';

// Options of the convolution layers and their validation, shared by conv.ts and depthwise-conv.ts.

/** The `pooling` shorthand of a conv layer: a pooling layer right after it (after the activation). */
export interface PoolingShorthand {
  /** 'max' (MaxPoolingND) or 'avg' (AveragePoolingND; 'average' is accepted too). */
  type: 'max' | 'avg' | 'average';
  /** Window size, one number or one per spatial dim (default 2, as Keras). */
  poolSize?: number | number[];
  /** Step between windows (default: the pool size). */
  strides?: number | number[] | null;
  /** 'valid' (default) or 'same'. */
  padding?: 'valid' | 'same';
}

/** Options shared by every convolution layer (Conv1D/2D/3D, DepthwiseConv2D, SeparableConv2D). */
export interface BaseConvOptions extends LayerOptions {
  /** Window size: one number for every spatial dim or one per dim (required). */
  kernelSize: number | number[];
  /** Step of the window, one number or one per spatial dim (default 1). */
  strides?: number | number[];
  /** 'valid' (default, no padding), 'same' (output size ceil(in / stride)) or 'causal' (Conv1D only). */
  padding?: 'valid' | 'same' | 'causal';
  /** Spacing between kernel taps, one number or one per spatial dim (default 1). */
  dilationRate?: number | number[];
  /**
   * 'channelsLast' (default: [batch, ...spatial, channels]) or 'channelsFirst' ([batch, channels, ...spatial],
   * as PyTorch); Keras's 'channels_last' / 'channels_first' too. The weights' layout is the same in both.
   */
  dataFormat?: string;
  /** Activation by name ('relu', ...) or function; default linear. */
  activation?: string | Activation | ((x: Tensor) => Tensor) | null;
  /** Default true. */
  useBias?: boolean;
  /** Default 'zeros'. */
  biasInitializer?: InitializerIdentifier;
  biasRegularizer?: RegularizerIdentifier | null;
  biasConstraint?: ConstraintIdentifier | null;
  /** Shorthand: a pooling layer after the activation (a separate MaxPoolingND/AveragePoolingND in a model). */
  pooling?: PoolingShorthand | null;
  /** Shorthand: a Dropout of this rate last (a separate Dropout layer in a model); `{ rate, seed, noiseShape }` also works. */
  dropout?: number | DropoutShorthand | null;
  /** Fixed seed of the dropout shorthand (same mask at every call, for tests); default a fresh mask each call. */
  dropoutSeed?: number | null;
}

/** The pooling shorthand, resolved. */
export interface Pooling {
  type: 'max' | 'avg';
  poolSize: number[];
  strides: number[];
  padding: 'valid' | 'same';
}

/** A given value as error messages show it: `[3, 0]`, `"full"`. */
export function fmtValue(v: unknown): string {
  return Array.isArray(v) ? `[${v.map((d) => JSON.stringify(d)).join(', ')}]` : v === undefined ? 'undefined' : JSON.stringify(v);
}

/** Reads a size given as one number or one per spatial dim (TF.js files write 1-D sizes as [3]). */
export function readSizes(where: string, name: string, v: unknown, rank: number, fallback?: number): number[] {
  let list: unknown[] | undefined;
  if (v === undefined || v === null) list = fallback === undefined ? undefined : new Array<number>(rank).fill(fallback);
  else if (typeof v === 'number') list = new Array<number>(rank).fill(v);
  else if (Array.isArray(v)) list = v.slice();
  if (!list || list.length !== rank || list.some((d) => !Number.isInteger(d) || (d as number) <= 0)) {
    throw new ConfigError(`${where}: ${name} must be a positive integer or a tuple of ${rank}, got ${fmtValue(v)}`);
  }
  return list as number[];
}

/** Reads `padding`: 'valid' (default), 'same', or 'causal' for a 1-D convolution (not a transposed one). */
export function readPadding(where: string, v: unknown, rank: number, className: string, transposed = false): 'valid' | 'same' | 'causal' {
  // Keras 2 files may hold upper-case names.
  const p = typeof v === 'string' ? v.toLowerCase() : v ?? 'valid';
  if (transposed && p === 'causal') {
    throw new ConfigError(`${where}: padding must be 'valid' or 'same' (a transposed convolution has no 'causal'), got ${fmtValue(v)}`);
  }
  if (p === 'causal' && rank !== 1) {
    throw new ConfigError(`${where}: padding 'causal' is for 1-D convolutions (Conv1D) only; use 'same' or 'valid' for ${className}`);
  }
  if (p !== 'valid' && p !== 'same' && p !== 'causal') {
    throw new ConfigError(`${where}: padding must be 'valid' or 'same'${rank === 1 ? " or 'causal'" : ''}, got ${fmtValue(v)}`);
  }
  return p;
}

export function readPooling(where: string, p: PoolingShorthand, rank: number): Pooling {
  if (typeof p !== 'object' || Array.isArray(p)) {
    throw new ConfigError(`${where}: pooling must be { type: 'max' | 'avg', poolSize, strides, padding }, got ${fmtValue(p)}`);
  }
  for (const k of Object.keys(p)) {
    if (!['type', 'poolSize', 'strides', 'padding'].includes(k)) {
      throw new ConfigError(`${where}: unknown pooling option '${k}'; pooling takes type, poolSize, strides and padding`);
    }
  }
  const type = p.type === 'average' ? 'avg' : p.type;
  if (type !== 'max' && type !== 'avg') {
    throw new ConfigError(`${where}: pooling.type must be 'max' or 'avg', got ${fmtValue(p.type)}`);
  }
  const poolSize = readSizes(where, 'pooling.poolSize', p.poolSize, rank, 2);
  const strides = p.strides === undefined || p.strides === null ? poolSize.slice() : readSizes(where, 'pooling.strides', p.strides, rank);
  const padding = p.padding ?? 'valid';
  if (padding !== 'valid' && padding !== 'same') {
    throw new ConfigError(`${where}: pooling.padding must be 'valid' or 'same', got ${fmtValue(p.padding)}`);
  }
  return { type, poolSize, strides, padding };
}

/** Resolves an initializer, regularizer and constraint triple for one weight, naming the layer in errors. */
export function weightOptions(where: string, name: string, init: InitializerIdentifier | undefined, fallback: string,
  reg: RegularizerIdentifier | null | undefined, con: ConstraintIdentifier | null | undefined):
  { initializer: Initializer; regularizer: Regularizer | null; constraint: Constraint | null } {
  return {
    initializer: getInitializer(init ?? fallback, `${where} ${name}Initializer`),
    regularizer: getRegularizer(reg, `${where} ${name}Regularizer`),
    constraint: getConstraint(con, `${where} ${name}Constraint`),
  };
}
