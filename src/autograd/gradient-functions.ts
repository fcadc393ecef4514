/**
 * TensorFlow.js's gradient functions (`tf.grad`, `tf.grads`, `tf.valueAndGrad`, `tf.valueAndGrads`,
 * `tf.variableGrads`) over Strata's tape, beside Strata's own `valueAndGrads(f, wrt)` form.
 */
import { ConfigError, ShapeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { Variable } from './variable.js';
import { type ValueAndGrads, gradientsOf, valueAndGrads as valueAndGradsWrt } from './tape.js';

/** Gradients by variable name, as TF.js's NamedTensorMap; the variables travel along for applyGradients. */
export type NamedGradients = Record<string, Tensor | null>;

const VARIABLES = Symbol('strata.gradientVariables');

/** The variables `variableGrads` computed a named map for (so applyGradients finds them by name). */
export function variablesOf(grads: object): Map<string, Variable> | null {
  return (grads as { [VARIABLES]?: Map<string, Variable> })[VARIABLES] ?? null;
}

function checkFunction(f: unknown, where: string): void {
  if (typeof f !== 'function') throw new ConfigError(`${where}: the f passed in must be a function returning a tensor`);
}

/** TF.js forms fail where an argument does not reach the result, instead of returning zeros. */
function reached(grads: (Tensor | null)[], where: string): Tensor[] {
  grads.forEach((g, i) => {
    if (!g) {
      throw new ConfigError(`${where}: cannot compute the gradient of y = f(x) with respect to argument ${i}; ` +
        'make sure f uses that argument in the operations that lead to y');
    }
  });
  return grads as Tensor[];
}

function argsOf(args: unknown, where: string): Tensor[] {
  if (!Array.isArray(args)) throw new ConfigError(`${where}: args must be an array of tensors, e.g. f([x, y])`);
  return args.map((a, i) => toTensor(a as TensorLike, where, `args[${i}]`));
}

/**
 * TF.js `tf.grad(f)`: a function giving the gradient of f(x) with respect to x (weighted by dy).
 * @example const dx = st.grad((x) => st.square(x))(st.tensor([1, 2]));   // [2, 4]
 */
export function grad(f: (x: Tensor) => Tensor): (x: TensorLike, dy?: TensorLike) => Tensor {
  checkFunction(f, 'grad');
  return (x, dy) => {
    const t = toTensor(x, 'grad', 'x');
    const r = gradientsOf(() => f(t), [t], dy === undefined ? undefined : toTensor(dy, 'grad', 'dy'), 'grad');
    return reached(r.grads, 'grad')[0];
  };
}

/**
 * TF.js `tf.valueAndGrad(f)`: a function giving f(x) and its gradient with respect to x.
 * @example const { value, grad } = st.valueAndGrad((x) => st.sum(st.square(x)))(st.tensor([1, 2]));
 */
export function valueAndGrad(f: (x: Tensor) => Tensor): (x: TensorLike, dy?: TensorLike) => { value: Tensor; grad: Tensor } {
  checkFunction(f, 'valueAndGrad');
  return (x, dy) => {
    const t = toTensor(x, 'valueAndGrad', 'x');
    const r = gradientsOf(() => f(t), [t], dy === undefined ? undefined : toTensor(dy, 'valueAndGrad', 'dy'), 'valueAndGrad');
    return { value: r.value, grad: reached(r.grads, 'valueAndGrad')[0] };
  };
}

/**
 * Two forms. Strata's: `grads(f, wrt, dy?)` gives d f() / d wrt[i] now (zeros where wrt[i] does not
 * reach the result). TF.js's: `grads(f)` gives a function `(args, dy?) => gradients` of f(...args).
 * @example const [da, db] = st.grads((a, b) => st.mul(a, b))([st.tensor([2]), st.tensor([3])]);   // [3], [2]
 */
export function grads(f: () => Tensor, wrt: readonly Tensor[], dy?: Tensor): Tensor[];
export function grads(f: (...args: Tensor[]) => Tensor): (args: TensorLike[], dy?: TensorLike) => Tensor[];
export function grads(f: (...args: Tensor[]) => Tensor, wrt?: readonly Tensor[], dy?: Tensor):
  Tensor[] | ((args: TensorLike[], dy?: TensorLike) => Tensor[]) {
  if (wrt !== undefined) return valueAndGradsWrt(f as () => Tensor, wrt, dy).grads;
  checkFunction(f, 'grads');
  return (args, dy2) => {
    const ts = argsOf(args, 'grads');
    const r = gradientsOf(() => f(...ts), ts, dy2 === undefined ? undefined : toTensor(dy2, 'grads', 'dy'), 'grads');
    return reached(r.grads, 'grads');
  };
}

/**
 * Two forms. Strata's (the API contract): `valueAndGrads(f, wrt, dy?)` gives `{ value, grads }` now,
 * zeros where wrt[i] does not reach the result. TF.js's: `valueAndGrads(f)` gives a function
 * `(args, dy?) => { value, grads }` of f(...args).
 * @example const { value, grads: [dw] } = st.valueAndGrads(() => st.sum(st.square(st.matmul(x, w))), [w]);
 */
export function valueAndGrads(f: () => Tensor, wrt: readonly Tensor[], dy?: Tensor): ValueAndGrads;
export function valueAndGrads(f: (...args: Tensor[]) => Tensor): (args: TensorLike[], dy?: TensorLike) => ValueAndGrads;
export function valueAndGrads(f: (...args: Tensor[]) => Tensor, wrt?: readonly Tensor[], dy?: Tensor):
  ValueAndGrads | ((args: TensorLike[], dy?: TensorLike) => ValueAndGrads) {
  if (wrt !== undefined) return valueAndGradsWrt(f as () => Tensor, wrt, dy);
  checkFunction(f, 'valueAndGrads');
  return (args, dy2) => {
    const ts = argsOf(args, 'valueAndGrads');
    const r = gradientsOf(() => f(...ts), ts, dy2 === undefined ? undefined : toTensor(dy2, 'valueAndGrads', 'dy'), 'valueAndGrads');
    return { value: r.value, grads: reached(r.grads, 'valueAndGrads') };
  };
}

/**
 * TF.js `tf.variableGrads(f, varList?)`: the scalar f() and its gradients by variable name. Without
 * varList, the trainable variables f reads (and reaches its result with); variables with
 * `trainable: false` are skipped (listed ones get a null gradient).
 * @example const { value, grads } = st.variableGrads(() => st.sum(st.square(w)));   // grads[w.name]
 */
export function variableGrads(f: () => Tensor, varList?: Variable[]): { value: Tensor; grads: NamedGradients } {
  const where = 'variableGrads';
  checkFunction(f, where);
  if (varList !== undefined && varList !== null && (!Array.isArray(varList) || varList.some((v) => !(v instanceof Variable)))) {
    throw new ConfigError(`${where}: varList must be an array of variables (st.variable(...)), or left out to use every trainable variable f reads`);
  }
  const listed = varList ?? null;
  const trainable = listed ? listed.filter((v) => v.trainable) : [];
  if (listed && trainable.length === 0) {
    throw new ConfigError(`${where}: none of the ${listed.length} variables in varList is trainable`);
  }
  const r = gradientsOf(f, trainable, undefined, where, !listed);
  const vars = listed ? trainable : r.found;
  const gs = listed ? r.grads : r.foundGrads;
  if (!gs.some((g) => g)) {
    throw new ConfigError(`${where}: no variable reaches the result of f; make sure the operations that use the ` +
      'variables run inside f (variables made with trainable: false are skipped)');
  }
  if (r.value.rank !== 0) throw new ShapeError(`${where}: f must return a scalar, got a rank-${r.value.rank} tensor`);
  const named: NamedGradients = {};
  const byName = new Map<string, Variable>();
  const put = (v: Variable, g: Tensor | null) => {
    const other = byName.get(v.name);
    if (other && other !== v) throw new ConfigError(`${where}: two variables are named '${v.name}'; give them distinct names`);
    byName.set(v.name, v);
    named[v.name] = g;
  };
  vars.forEach((v, i) => { if (gs[i]) put(v, gs[i]); });
  if (listed) for (const v of listed) if (!v.trainable) put(v, null);
  Object.defineProperty(named, VARIABLES, { value: byName, enumerable: false });
  return { value: r.value, grads: named };
}
