import type { ElementwiseKernels } from './elementwise-kernels.js';
import type { ReduceKernels } from './reduce-kernels.js';
import type { ShapeKernels } from './shape-kernels.js';
import type { MatmulKernels } from './matmul-kernels.js';
import type { ConvKernels } from './conv-kernels.js';
import type { PoolKernels } from './pool-kernels.js';
import type { RnnKernels } from './rnn-kernels.js';
import type { OptimizerKernels } from './optimizer-kernels.js';
import type { LossKernels } from './loss-kernels.js';

/**
 * The compute behind every op. A kernel knows nothing of autograd: tensors in, a new tensor out,
 * inputs never written. Every kernel works for float32, int32 where it makes sense, and float64
 * (the gradient-check path): outputs take the dtype of the inputs unless the kernel says otherwise.
 * The reference `js` backend implements all of it; faster backends implement the same interface.
 */
export interface Backend
  extends ElementwiseKernels, ReduceKernels, ShapeKernels, MatmulKernels, ConvKernels, PoolKernels, RnnKernels,
    OptimizerKernels, LossKernels {
  readonly name: string;
  /** How many threads the backend's kernels use, where it has threads (the compiled backends). */
  readonly threads?: ThreadControl;
}

/** A backend's thread count: `set(0)` restores its default (STRATA_NUM_THREADS, else every core). */
export interface ThreadControl {
  get(): number;
  set(n: number): void;
}
