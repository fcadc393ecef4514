/**
 * `tf.variableGrads`: gradients of a scalar loss with respect to the trainable variables it uses,
 * keyed by variable name, as TF.js programs pass them to `optimizer.applyGradients`.
 */
import { ConfigError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Variable, liveVariables } from '../autograd/variable.js';
import { valueAndReachedGrads } from '../autograd/tape.js';

/**
 * The loss `f()` and its gradient for each trainable variable of `varList` (default: every live
 * trainable variable) that the loss depends on, keyed by variable name, as `tf.variableGrads`.
 * @example
 * const { value, grads } = st.variableGrads(() => st.losses.meanSquaredError(ys, model.predict(xs), null));
 * optimizer.applyGradients(grads);
 */
export function variableGrads(f: () => Tensor, varList?: readonly Variable[]): { value: Tensor; grads: Record<string, Tensor> } {
  if (typeof f !== 'function') throw new ConfigError('variableGrads: the first argument must be a function returning a scalar');
  if (varList !== undefined && varList !== null && !Array.isArray(varList)) {
    throw new ConfigError('variableGrads: varList must be an array of variables');
  }
  const vars = (varList ?? liveVariables()).filter((v) => v.trainable);
  const { value, grads } = valueAndReachedGrads(f, vars);
  if (value.size !== 1) throw new ConfigError(`variableGrads: f must return a scalar, got shape ${fmtShape(value.shape)}`);
  const out: Record<string, Tensor> = {};
  vars.forEach((v, i) => {
    const g = grads[i];
    if (!g) return;
    if (v.name in out) {
      throw new ConfigError(`variableGrads: two variables the loss uses are both named '${v.name}'; name them apart`);
    }
    out[v.name] = g;
  });
  if (Object.keys(out).length === 0) {
    throw new ConfigError('variableGrads: the loss does not depend on any trainable variable; use the variables inside f');
  }
  return { value, grads: out };
}
