import { ConfigError, ShapeError, DTypeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { shapesEqual } from '../tensor/shape.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { type DType, alloc } from '../tensor/dtype.js';
import { variableStorageReplaced } from '../tensor/buffer-pool.js';

let nextVariable = 0;

// Live variables by name, for TF.js's optimizer.applyGradients({ [name]: grad }); weak, so a
// variable nobody holds is still collected. The newest variable of a name wins.
const byName = new Map<string, WeakRef<Variable>>();
const forget = new FinalizationRegistry<string>((name) => {
  if (byName.get(name)?.deref() === undefined) byName.delete(name);
});

function register(v: Variable): void {
  byName.set(v.name, new WeakRef(v));
  forget.register(v, v.name);
}

/** The live variable with this name (the newest when several were given it), or null. */
export function findVariable(name: string): Variable | null {
  return byName.get(name)?.deref() ?? null;
}

/**
 * The one mutable kind of tensor: weights and optimizer state. `assign` replaces its values;
 * tensors read from it earlier keep the values they had.
 */
export class Variable extends Tensor {
  /** Whether optimizers update it. */
  trainable: boolean;
  /** Held by a layer whose `trainable` is false: `minimize(f)` without a variable list skips it. */
  frozen = false;
  readonly name: string;

  constructor(initial: Tensor, trainable = true, name?: string) {
    super(initial.values.slice(), initial.shape);
    this.trainable = trainable;
    this.name = name ?? `variable_${nextVariable++}`;
    register(this);
  }

  /** Replaces the values; the new ones must have the same shape and dtype. */
  assign(value: Tensor): void {
    if (!shapesEqual(value.shape, this.shape)) {
      throw new ShapeError(`Variable '${this.name}'.assign: expected shape ${fmtShape(this.shape)}, got ${fmtShape(value.shape)}`);
    }
    if (value.dtype !== this.dtype) {
      throw new DTypeError(`Variable '${this.name}'.assign: expected dtype ${this.dtype}, got ${value.dtype}`);
    }
    const old = this.values;
    this.values = value.values;
    // The new storage outlives the step; the old may go back to the step buffers (tensor/buffer-pool.ts).
    variableStorageReplaced(old, value.values);
  }

  /** A plain tensor holding the current values. */
  read(): Tensor {
    return this;
  }
}

export interface VariableOptions {
  /** Whether optimizers update it (default true). */
  trainable?: boolean;
  name?: string;
  dtype?: DType;
}

/**
 * Creates a variable holding a copy of `initial`.
 * @example const w = st.variable(st.randomNormal([3, 2], { seed: 1 }), { name: 'w' });
 */
export function variable(initial: TensorLike, opts: VariableOptions = {}): Variable {
  if (opts !== null && typeof opts !== 'object') {
    throw new ConfigError('variable: the second argument is an options object { trainable, name, dtype }');
  }
  let t = toTensor(initial, 'variable', 'initial', opts.dtype);
  if (opts.dtype && t.dtype !== opts.dtype) {
    const v = alloc(opts.dtype, t.size);
    v.set(t.values);
    t = new Tensor(v, t.shape);
  }
  return new Variable(t, opts.trainable ?? true, opts.name);
}
