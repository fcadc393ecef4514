import type { Backend } from '../backend.js';
import { elementwiseKernels } from './elementwise.js';
import { reduceKernels } from './reduce.js';
import { shapeKernels } from './shape.js';
import { matmulKernels } from './matmul.js';
import { convKernels } from './conv.js';
import { poolKernels } from './pool.js';
import { rnnKernels } from './rnn.js';
import { optimizerKernels } from './optimizer.js';
import { lossKernels } from './loss.js';

/** The reference backend: plain TypeScript, runs everywhere, and is the truth tests compare with. */
export const jsBackend: Backend = {
  name: 'js',
  ...elementwiseKernels,
  ...reduceKernels,
  ...shapeKernels,
  ...matmulKernels,
  ...convKernels,
  ...poolKernels,
  ...rnnKernels,
  ...optimizerKernels,
  ...lossKernels,
};
