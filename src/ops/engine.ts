import { type BackwardFn, isRecording, record } from '../autograd/tape.js';
import { kernels } from '../kernels/registry.js';
import type { Backend } from '../kernels/backend.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * Runs one op: its forward kernel on the active backend, then, when a tape is recording, its
 * gradient. `backward` receives the output's gradient and the output, and returns one gradient per
 * input (null where there is none); `needs[i]` is false when input i's gradient is not wanted (a model
 * input, say), so an expensive one can be skipped. Write it with ops so that it is differentiable too.
 * @example
 * export const exp = (x: Tensor) => runOp('Exp', [x], (b) => b.unary('exp', x), (dy, y) => [mul(dy, y)]);
 */
export function runOp(
  name: string,
  inputs: Tensor[],
  forward: (b: Backend) => Tensor,
  backward?: (dy: Tensor, y: Tensor, needs: boolean[]) => (Tensor | null | undefined)[],
): Tensor {
  const y = forward(kernels());
  if (backward && isRecording()) record(name, inputs, [y], (dys, needs) => backward(dys[0], y, needs));
  return y;
}

/** `runOp` for ops with several outputs (split, moments, ...). */
export function runOpMulti(
  name: string,
  inputs: Tensor[],
  forward: (b: Backend) => Tensor[],
  backward?: (dys: Tensor[], ys: Tensor[], needs: boolean[]) => (Tensor | null | undefined)[],
): Tensor[] {
  const ys = forward(kernels());
  if (backward && isRecording()) {
    const fn: BackwardFn = (dys, needs) => backward(dys, ys, needs);
    record(name, inputs, ys, fn);
  }
  return ys;
}
