/**
 * The optimizer base class: slot bookkeeping, learning rate and schedules, clipping, weight decay,
 * state save/restore. Subclasses supply their slots and one fused update per variable.
 */
import { ConfigError, DTypeError, ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { alloc } from '../tensor/dtype.js';
import { Variable, findVariable } from '../autograd/variable.js';
import { type NamedGradients, variableGrads, variablesOf } from '../autograd/gradient-functions.js';
import { noGrad, valueAndGrads } from '../autograd/tape.js';
import { LearningRateSchedule, type Config } from './schedules.js';
import { clipGradients } from './clipping.js';
import { type FloatArray, type GradArray, allocLike } from './update-rules.js';

/** A fixed learning rate, a schedule, or a function of the step (not serialisable). */
export type LearningRate = number | LearningRateSchedule | ((step: number) => number);

/** Options every optimizer takes (Keras 3 base optimizer arguments). */
export interface OptimizerOptions {
  learningRate?: LearningRate;
  /** Decoupled weight decay: p ← p − p·weightDecay·lr before each step; default none. */
  weightDecay?: number | null;
  /** Clip each gradient to this L2 norm. (Only one of clipNorm, clipValue, globalClipNorm.) */
  clipNorm?: number | null;
  /** Clip each gradient element to [−clipValue, clipValue]. */
  clipValue?: number | null;
  /** Clip all gradients together to this joint L2 norm. */
  globalClipNorm?: number | null;
  /** Keras spellings, as in configs. */
  clipnorm?: number | null;
  clipvalue?: number | null;
  globalClipnorm?: number | null;
  name?: string;
}

/** The per-step values handed to a subclass's `update`. */
export interface StepContext {
  /** The learning rate of this step. */
  lr: number;
  /** Updates done before this one (Keras `iterations`); the bias-correction step is iteration + 1. */
  iteration: number;
  /** Weight decay factor for this variable: weightDecay·lr, or 0. */
  decay: number;
}

interface Entry {
  variable: Variable;
  slots: Variable[];
}

/** Checks a number option; `where` names the optimizer. */
export function checkNumber(where: string, name: string, v: unknown, min: number, max: number,
  maxOpen = false, def?: number): number {
  if (v === undefined || v === null) {
    if (def === undefined) throw new ConfigError(`${where}: ${name} is required`);
    return def;
  }
  const range = `[${min}, ${max === Infinity ? '∞' : max}${maxOpen ? ')' : ']'}`;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (maxOpen && v === max)) {
    throw new ConfigError(`${where}: ${name} must be a number in ${range}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function optionalPositive(where: string, name: string, v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
    throw new ConfigError(`${where}: ${name} must be a positive number or null, got ${JSON.stringify(v)}`);
  }
  return v;
}

function checkLearningRate(where: string, lr: unknown): LearningRate {
  if (lr instanceof LearningRateSchedule || typeof lr === 'function') return lr as LearningRate;
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
    throw new ConfigError(`${where}: learningRate must be a non-negative number or a schedule ` +
      `(st.optimizers.schedules.*), got ${JSON.stringify(lr)}`);
  }
  return lr;
}

/**
 * Updates variables from their gradients (Keras 3 semantics). `iterations` counts the updates;
 * a schedule is evaluated at `iterations` (0 on the first update). State (`getWeights`) is
 * `[iterations, ...slots]`, the slots grouped per variable in the order variables were first seen
 * and, within a variable, in the order `slotNames` lists them.
 */
export abstract class Optimizer {
  /** The Keras class name, as written in model files. */
  static className: string;
  readonly name: string;
  readonly weightDecay: number | null;
  readonly clipNorm: number | null;
  readonly clipValue: number | null;
  readonly globalClipNorm: number | null;
  private lr: LearningRate;
  private iters = 0;
  private readonly entries: Entry[] = [];
  /** Whether `slotVariables` handed the slots out (then updates stop writing them in place). */
  private slotsShared = false;
  private readonly byVariable = new Map<Variable, Entry>();
  private pending: Tensor[] | null = null;
  private excludedVariables = new Set<Variable>();
  private excludedNames: string[] = [];

  constructor(opts: OptimizerOptions, defaultLearningRate: number) {
    const where = this.describe();
    if (opts === null || typeof opts !== 'object') throw new ConfigError(`${where}: options must be an object`);
    this.lr = checkLearningRate(where, opts.learningRate ?? defaultLearningRate);
    this.weightDecay = opts.weightDecay === undefined || opts.weightDecay === null ? null
      : checkNumber(where, 'weightDecay', opts.weightDecay, 0, Infinity);
    this.clipNorm = optionalPositive(where, 'clipNorm', opts.clipNorm ?? opts.clipnorm);
    this.clipValue = optionalPositive(where, 'clipValue', opts.clipValue ?? opts.clipvalue);
    this.globalClipNorm = optionalPositive(where, 'globalClipNorm', opts.globalClipNorm ?? opts.globalClipnorm);
    const set = [this.clipNorm, this.clipValue, this.globalClipNorm].filter((c) => c !== null).length;
    if (set > 1) {
      throw new ConfigError(`${where}: only one of clipNorm, clipValue and globalClipNorm can be set, got clipNorm=` +
        `${this.clipNorm}, clipValue=${this.clipValue}, globalClipNorm=${this.globalClipNorm}`);
    }
    this.name = opts.name ?? this.className.toLowerCase();
  }

  get className(): string {
    return (this.constructor as typeof Optimizer).className;
  }

  protected describe(): string {
    return (this.constructor as typeof Optimizer).className ?? 'Optimizer';
  }

  /** Names of the per-variable slots, in state order (e.g. Adam: ['momentum', 'velocity']). */
  protected abstract slotNames(): string[];

  /** Initial value of a slot (Adagrad's accumulator starts at initialAccumulatorValue). */
  protected slotInitialValue(_slot: number): number {
    return 0;
  }

  /** Called once per `apply`, before the updates, with the step's context (Nadam's schedule). */
  protected prepareStep(_ctx: StepContext): void {}

  /**
   * One fused update: reads the parameter, gradient and slots, returns the new parameter and new
   * slot arrays (freshly allocated; inputs are never written).
   */
  protected abstract update(ctx: StepContext, p: FloatArray, g: GradArray, slots: FloatArray[]): { p: FloatArray; slots: FloatArray[] };

  /** Number of updates applied so far. */
  get iterations(): number {
    return this.iters;
  }

  set iterations(n: number) {
    if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${this.describe()}: iterations must be a non-negative integer, got ${n}`);
    this.iters = n;
    this.onIterationsSet();
  }

  /** Hook for state derived from the step count (Nadam). */
  protected onIterationsSet(): void {}

  /** The learning rate as configured: a number, a schedule or a function of the step. */
  get learningRate(): LearningRate {
    return this.lr;
  }

  /**
   * Sets the learning rate (callbacks such as reduceLROnPlateau do). As Keras 3, a schedule may be
   * replaced by another schedule but not by a number.
   */
  set learningRate(lr: LearningRate) {
    const checked = checkLearningRate(this.describe(), lr);
    if (typeof checked === 'number' && typeof this.lr !== 'number') {
      throw new ConfigError(`${this.describe()}: the learning rate is a schedule and cannot be set to a number; ` +
        'create the optimizer with a numeric learningRate to make it settable');
    }
    this.lr = checked;
  }

  /** The learning rate the next update uses (the schedule's value at `iterations`). */
  get currentLearningRate(): number {
    const lr = this.lr;
    if (typeof lr === 'number') return lr;
    const v = lr instanceof LearningRateSchedule ? lr.call(this.iters) : lr(this.iters);
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ConfigError(`${this.describe()}: the learning-rate schedule returned ${String(v)} at step ${this.iters}`);
    }
    return v;
  }

  /**
   * Leaves variables out of weight decay: the ones given, and those whose name contains one of `varNames`.
   * @example opt.excludeFromWeightDecay({ varNames: ['bias'] })
   */
  excludeFromWeightDecay(opts: { variables?: Variable[]; varNames?: string[] }): void {
    this.excludedVariables = new Set(opts.variables ?? []);
    this.excludedNames = (opts.varNames ?? []).slice();
  }

  private usesWeightDecay(v: Variable): boolean {
    if (this.weightDecay === null || this.excludedVariables.has(v)) return false;
    return !this.excludedNames.some((s) => v.name.includes(s));
  }

  /** Creates the slots of variables not seen yet (Keras `build`); `apply` does it on its own. */
  build(variables: readonly Variable[]): void {
    for (const v of variables) this.entryOf(v);
    this.applyPending();
  }

  private entryOf(v: Variable): Entry {
    let e = this.byVariable.get(v);
    if (e) return e;
    if (v.dtype === 'int32') {
      throw new DTypeError(`${this.describe()}: variable '${v.name}' is int32; only float32 and float64 variables can be trained`);
    }
    const slots = this.slotNames().map((s, i) => {
      const values = alloc(v.dtype, v.size);
      const init = this.slotInitialValue(i);
      if (init !== 0) values.fill(init);
      return new Variable(new Tensor(values, v.shape), false, `${this.name}/${v.name}_${s}`);
    });
    e = { variable: v, slots };
    this.entries.push(e);
    this.byVariable.set(v, e);
    return e;
  }

  /**
   * Applies one update: `grads[i]` is the gradient of `variables[i]` (a null gradient leaves its
   * variable alone). Keras 3 `optimizer.apply`.
   * @example opt.apply(grads, model.trainableWeights)
   */
  apply(grads: readonly (Tensor | null | undefined)[], variables: readonly Variable[]): void {
    const where = this.describe();
    if (!Array.isArray(grads) || !Array.isArray(variables)) {
      throw new ConfigError(`${where}.apply: expected (grads: Tensor[], variables: Variable[])`);
    }
    if (grads.length !== variables.length) {
      throw new ConfigError(`${where}.apply: got ${grads.length} gradients for ${variables.length} variables; pass one gradient per variable`);
    }
    const gs: GradArray[] = [];
    const vs: Variable[] = [];
    const seen = new Set<Variable>();
    for (let i = 0; i < variables.length; i++) {
      const v = variables[i];
      const g = grads[i];
      if (!(v instanceof Variable)) {
        throw new ConfigError(`${where}.apply: variables[${i}] is not a Variable — create it with st.variable(...)`);
      }
      if (seen.has(v)) throw new ConfigError(`${where}.apply: variable '${v.name}' is listed twice`);
      seen.add(v);
      if (g === null || g === undefined) continue;
      if (!(g instanceof Tensor)) throw new ConfigError(`${where}.apply: grads[${i}] is not a tensor`);
      if (g.size !== v.size || g.shape.length !== v.shape.length || g.shape.some((d, k) => d !== v.shape[k])) {
        throw new ShapeError(`${where}.apply: the gradient of '${v.name}' has shape ${fmtShape(g.shape)}, expected ${fmtShape(v.shape)}`);
      }
      gs.push(g.values);
      vs.push(v);
    }
    if (vs.length === 0 && variables.length > 0) {
      throw new ConfigError(`${where}.apply: no gradient was given for any variable`);
    }
    noGrad(() => this.step(gs, vs));
  }

  /**
   * Applies gradients given as TF.js does — `{ [variableName]: gradient }` (what `variableGrads` and
   * `computeGradients` return) or `[{ name, tensor }]` — or as Keras pairs `[gradient, variable]` /
   * `{ grad, variable }`. A null gradient leaves its variable alone.
   * @example const { grads } = opt.computeGradients(() => loss()); opt.applyGradients(grads);
   */
  applyGradients(gradients: NamedGradients | readonly ({ name: string; tensor: Tensor | null } |
    [Tensor | null, Variable] | { grad: Tensor | null; variable: Variable })[]): void {
    const where = `${this.describe()}.applyGradients`;
    const grads: (Tensor | null)[] = [];
    const vars: Variable[] = [];
    if (gradients && typeof gradients === 'object' && !Array.isArray(gradients)) {
      const carried = variablesOf(gradients);
      for (const [name, g] of Object.entries(gradients as NamedGradients)) {
        grads.push(g ?? null);
        vars.push(this.variableNamed(name, carried, where));
      }
    } else if (Array.isArray(gradients)) {
      for (const p of gradients) {
        if (Array.isArray(p)) { grads.push(p[0]); vars.push(p[1]); } else if (p && typeof p === 'object' && 'variable' in p) {
          grads.push(p.grad); vars.push(p.variable);
        } else if (p && typeof p === 'object' && 'name' in p && 'tensor' in p) {
          grads.push(p.tensor ?? null); vars.push(this.variableNamed(p.name, null, where));
        } else {
          throw new ConfigError(`${where}: each entry must be { name, tensor }, [gradient, variable] or { grad, variable }`);
        }
      }
    } else {
      throw new ConfigError(`${where}: expected { [variableName]: gradient } (as variableGrads returns) or an array of { name, tensor }`);
    }
    if (grads.every((g) => g === null)) return; // TF.js: nothing to apply
    this.apply(grads, vars);
  }

  /** The variable a TF.js gradient name refers to: carried by the map, known to this optimizer, or live by that name. */
  private variableNamed(name: string, carried: Map<string, Variable> | null, where: string): Variable {
    const v = carried?.get(name) ?? this.entries.find((e) => e.variable.name === name)?.variable ?? findVariable(name);
    if (!v) {
      throw new ConfigError(`${where}: no variable named '${name}' — pass the gradients variableGrads/computeGradients ` +
        'returned, or use apply(grads, variables)');
    }
    return v;
  }

  /**
   * TF.js `optimizer.computeGradients(f, varList?)`: the scalar f() and its gradients by variable
   * name (see st.variableGrads); apply them with `applyGradients`.
   */
  computeGradients(f: () => Tensor, varList?: Variable[]): { value: Tensor; grads: NamedGradients } {
    return variableGrads(f, varList);
  }

  /**
   * Computes the gradients of f() and applies them. TF.js form `minimize(f, returnCost = false,
   * varList?)`: without varList, every trainable variable f reads is updated (variables made with
   * trainable: false are not); returns the cost when returnCost is true, else null. Strata form
   * `minimize(f, variables)`: updates those variables and returns the loss.
   * @example opt.minimize(() => st.mean(st.square(st.sub(st.matmul(x, w), y))));
   * @example const loss = opt.minimize(() => st.mean(st.square(st.sub(st.matmul(x, w), y))), [w]);
   */
  minimize(loss: () => Tensor, variables: readonly Variable[]): Tensor;
  minimize(loss: () => Tensor, returnCost?: boolean, varList?: Variable[]): Tensor | null;
  minimize(loss: () => Tensor, second?: boolean | readonly Variable[], varList?: Variable[]): Tensor | null {
    const where = `${this.describe()}.minimize`;
    if (typeof loss !== 'function') throw new ConfigError(`${where}: loss must be a function returning a tensor`);
    if (Array.isArray(second)) {
      if (second.length === 0) throw new ConfigError(`${where}: pass the variables to train, e.g. model.trainableWeights`);
      const { value, grads } = valueAndGrads(loss, second);
      this.apply(grads, second);
      return value;
    }
    if (second !== undefined && second !== null && typeof second !== 'boolean') {
      throw new ConfigError(`${where}: the second argument is returnCost (a boolean, as TF.js) or the variables to train (an array), got ${typeof second}`);
    }
    const { value, grads } = variableGrads(loss, varList);
    const carried = variablesOf(grads)!;
    const vars: Variable[] = [];
    const gs: Tensor[] = [];
    for (const [name, g] of Object.entries(grads)) {
      if (g) { vars.push(carried.get(name)!); gs.push(g); }
    }
    this.apply(gs, vars);
    return second ? value : null;
  }

  private step(gs: GradArray[], vs: Variable[]): void {
    const entries = vs.map((v) => this.entryOf(v));
    this.applyPending();
    const lr = this.currentLearningRate;
    const clipped = clipGradients(gs, this);
    const base: StepContext = { lr, iteration: this.iters, decay: 0 };
    this.prepareStep(base);
    for (let i = 0; i < entries.length; i++) {
      const { variable, slots } = entries[i];
      const ctx = { ...base, decay: this.usesWeightDecay(variable) ? this.weightDecay! * lr : 0 };
      const out = this.update(ctx, variable.values as FloatArray, clipped[i], slots.map((s) => s.values as FloatArray));
      variable.assign(new Tensor(out.p, variable.shape));
      for (let k = 0; k < slots.length; k++) slots[k].assign(new Tensor(out.slots[k], variable.shape));
    }
    this.iters++;
  }

  /** The slot variables, grouped per variable in first-seen order. */
  get slotVariables(): Variable[] {
    // Handed out, a slot's storage may be viewed or replaced by the caller: update it out of place from now on.
    this.slotsShared = true;
    return this.ownSlots();
  }

  private ownSlots(): Variable[] {
    return this.entries.flatMap((e) => e.slots);
  }

  /**
   * Where an update rule writes a slot's new values: the slot's own storage, which nothing outside the
   * optimizer sees (getWeights copies it), so a step allocates no new slot arrays (profiled on W2/W3,
   * issue 13: fresh outputs made Adam's update of a 784 × 128 kernel cost 135–230 µs against 75–97 µs in
   * place); a fresh array once `slotVariables` has handed the slots out. The rules read element i
   * before writing it, so in place is safe.
   */
  protected slotOutput(slot: FloatArray): FloatArray {
    return this.slotsShared ? allocLike(slot) : slot;
  }

  /**
   * The optimizer state: `[iterations (int32 scalar), ...slots]`, slots grouped per variable in the
   * order variables were first seen (see the class doc). Restoring it with `setWeights` on an
   * optimizer built on the same variables continues training exactly.
   */
  getWeights(): Tensor[] {
    return this.getNamedWeights().map((w) => w.tensor);
  }

  /** `getWeights` with names (`iter`, then `<optimizer>/<variable>_<slot>`), as TF.js saves them. */
  getNamedWeights(): { name: string; tensor: Tensor }[] {
    const iter = new Tensor(Int32Array.of(this.iters), []);
    return [{ name: 'iter', tensor: iter },
      ...this.ownSlots().map((s) => ({ name: s.name, tensor: new Tensor(s.values.slice(), s.shape) }))];
  }

  /**
   * Restores the state from `getWeights()`. Before the optimizer has seen its variables, the slots
   * are kept and checked on the first `apply` (or `build`).
   */
  setWeights(weights: readonly Tensor[]): void {
    const where = `${this.describe()}.setWeights`;
    if (!Array.isArray(weights) || weights.length === 0 || weights.some((w) => !(w instanceof Tensor))) {
      throw new ConfigError(`${where}: expected [iterations, ...slots] as tensors, as getWeights() returns`);
    }
    const it = weights[0];
    if (it.size !== 1 || !Number.isInteger(it.values[0]) || it.values[0] < 0) {
      throw new ConfigError(`${where}: the first weight must be the iteration count (a non-negative integer scalar)`);
    }
    const slots = weights.slice(1);
    if (this.entries.length === 0 && slots.length > 0) {
      this.pending = slots;
    } else {
      this.checkSlots(slots, where);
      this.assignSlots(slots);
    }
    this.iterations = it.values[0];
  }

  private applyPending(): void {
    if (this.pending === null || this.entries.length === 0) return;
    const slots = this.pending;
    this.pending = null;
    this.checkSlots(slots, `${this.describe()}: the state given to setWeights`);
    this.assignSlots(slots);
  }

  private checkSlots(slots: readonly Tensor[], where: string): void {
    const mine = this.ownSlots();
    if (slots.length !== mine.length) {
      throw new ConfigError(`${where}: expected ${mine.length} slot tensors after iterations (${this.slotNames().length} per ` +
        `variable for ${this.entries.length} variables), got ${slots.length} — build the optimizer on the same variables first`);
    }
    for (let i = 0; i < slots.length; i++) {
      if (slots[i].size !== mine[i].size || slots[i].shape.some((d, k) => d !== mine[i].shape[k])) {
        throw new ShapeError(`${where}: slot ${i} ('${mine[i].name}') has shape ${fmtShape(mine[i].shape)}, got ${fmtShape(slots[i].shape)}`);
      }
    }
  }

  private assignSlots(slots: readonly Tensor[]): void {
    const mine = this.ownSlots();
    for (let i = 0; i < slots.length; i++) {
      const values = alloc(mine[i].dtype, mine[i].size);
      values.set(slots[i].values);
      mine[i].assign(new Tensor(values, mine[i].shape));
    }
  }

  /** Configuration with camelCase Keras/TF.js names (`learningRate`, `clipnorm`, ...). */
  getConfig(): Config {
    const lr = this.lr;
    return {
      name: this.name,
      learningRate: typeof lr === 'function' ? this.currentLearningRate : lr,
      weightDecay: this.weightDecay,
      clipnorm: this.clipNorm,
      globalClipnorm: this.globalClipNorm,
      clipvalue: this.clipValue,
    };
  }
}
