/**
 * Chained tensor methods, as TensorFlow.js has them: `t.reshape([2, 3])`, `t.square().mean()`,
 * `t.mul(2)`, `t.argMax(-1)`, `t.toFloat()`. Each method is its op with the tensor as the first
 * argument — `t.sum(0)` is `st.sum(t, 0)` — so it works on every backend and gradients flow through
 * it. A plain number or array operand (`t.add(1)`, `t.mul([1, 2])`) becomes a float32 tensor, as in
 * TensorFlow.js: an int32 tensor plus 1 is float32.
 *
 * Why here and not in tensor/: Tensor sits below the ops and must not import them (a cycle), so the
 * methods are installed onto Tensor.prototype by this module, which the public barrel imports; Variable
 * extends Tensor and so has them too. Library code below compat/ calls the ops, never these methods,
 * since they exist only once this module has run.
 *
 * To add a method: add one entry to TENSOR_METHODS (receiver first). Its type on Tensor is derived
 * from the entry's signature without the first parameter.
 * @example
 * const x = st.tensor([[1, 2, 3], [4, 5, 6]]);
 * x.reshape([3, 2]).square().mean().dataSync(); // [15.1666...]
 * x.slice([0, 0], [1, -1]).argMax(-1);           // [2]
 */
import { Tensor } from '../tensor/tensor.js';
import { TENSOR_METHODS } from './tensor-method-table.js';

export { TENSOR_METHODS };

/** A receiver-first function seen as a method: the same signature without its first parameter. */
export type MethodOf<F> = F extends (receiver: never, ...args: infer A) => infer R ? (...args: A) => R : never;

/** Every chained method, typed from its table entry. */
export type TensorMethods = { [K in keyof typeof TENSOR_METHODS]: MethodOf<(typeof TENSOR_METHODS)[K]> };

declare module '../tensor/tensor.js' {
  // Declaration merging: `t.reshape(...)` is type-checked and completes in editors.
  interface Tensor extends TensorMethods {
    /**
     * Always false: Strata tensors are reclaimed by the garbage collector, and `dispose()` does
     * nothing, so a tensor is never disposed. Kept for TensorFlow.js programs that check it.
     */
    readonly isDisposed: boolean;
  }
}

/**
 * Installs every method of TENSOR_METHODS on Tensor.prototype (non-enumerable, like class methods).
 * A name the Tensor class already defines itself is left alone: the class's own method wins.
 */
function install(): void {
  const proto = Tensor.prototype as unknown as Record<string, unknown>;
  for (const [name, fn] of Object.entries(TENSOR_METHODS) as [string, (x: Tensor, ...args: unknown[]) => unknown][]) {
    if (Object.prototype.hasOwnProperty.call(proto, name)) continue;
    const method = function (this: Tensor, ...args: unknown[]): unknown { return fn(this, ...args); };
    Object.defineProperty(method, 'name', { value: name }); // stack traces name the method
    Object.defineProperty(proto, name, {
      value: method,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  if (!Object.prototype.hasOwnProperty.call(proto, 'isDisposed')) {
    Object.defineProperty(proto, 'isDisposed', { get: () => false, configurable: true, enumerable: false });
  }
}

install();
