// Every op, re-exported for the public barrel. One section per area; keep each file to one purpose.

// core plumbing
export * from './window.js';
export * from './reshape.js';
export * from './broadcast-to.js';

// elementwise arithmetic, unary math, activations
export * from './arithmetic.js';
export * from './compare.js';
export * from './logical.js';
export * from './unary.js';
export * from './activations.js';
export * from './activations-smooth.js';
export * from './softmax.js';

// reductions
export * from './reduce.js';
export * from './moments.js';
export * from './log-sum-exp.js';
export * from './topk.js';

// shape and indexing
export * from './transpose.js';
export * from './concat.js';
export * from './split.js';
export * from './slice.js';
export * from './pad.js';
export * from './tile.js';
export * from './reverse.js';
export * from './gather.js';
export * from './one-hot.js';
export * from './where.js';
export * from './cast.js';
export * from './linspace.js';

// linear algebra
export * from './matmul.js';

// convolution
export * from './conv-util.js';
export * from './conv.js';
export * from './conv-transpose.js';
export * from './depthwise-conv.js';

// pooling and dropout
export * from './pool.js';
export * from './resize-bilinear.js';
export * from './dropout.js';
