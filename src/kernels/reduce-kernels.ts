import type { Tensor } from '../tensor/tensor.js';

export type ReduceOp = 'sum' | 'max' | 'min' | 'prod';

export interface ReduceKernels {
  /**
   * Reduces over `axes` (sorted, unique, non-negative). With keepDims the reduced axes stay as 1s.
   * Reducing no axes returns a copy.
   */
  reduce(op: ReduceOp, x: Tensor, axes: number[], keepDims: boolean): Tensor;
  /** Index of the largest / smallest value along `axis` (first on ties), as int32, axis removed. */
  argReduce(op: 'argMax' | 'argMin', x: Tensor, axis: number): Tensor;
}
