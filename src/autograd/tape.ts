import { GradientError, ConfigError, ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { shapesEqual } from '../tensor/shape.js';
import { Variable } from './variable.js';

/**
 * Turns the gradients of an op's outputs into the gradients of its inputs (null: no gradient).
 * `needs[i]` says whether input i's gradient is wanted, so costly unwanted ones can be skipped.
 */
export type BackwardFn = (dys: Tensor[], needs: boolean[]) => (Tensor | null | undefined)[];

interface Entry {
  name: string;
  inputs: Tensor[];
  outputs: Tensor[];
  backward: BackwardFn;
}

class Tape {
  readonly watched = new Set<number>();
  readonly entries: Entry[] = [];
  /** Trainable variables this tape started watching when an op read them (set: discover them). */
  constructor(readonly found: Variable[] | null = null) {}
}

const tapes: Tape[] = [];
let paused = 0;

/** True while some tape may want to record ops (cheap check for ops to skip bookkeeping). */
export function isRecording(): boolean {
  return tapes.length > 0 && paused === 0;
}

/** How many tapes are recording now (0 inside noGrad): more than one means a higher-order gradient may be taken. */
export function recordingDepth(): number {
  return paused > 0 ? 0 : tapes.length;
}

/**
 * Records an op on every active tape that watches one of its inputs. Outputs become watched, so
 * only the part of the computation that depends on `wrt` is kept.
 */
export function record(name: string, inputs: Tensor[], outputs: Tensor[], backward: BackwardFn): void {
  if (paused > 0) return;
  for (const tape of tapes) {
    if (tape.found) {
      for (const t of inputs) {
        if (t instanceof Variable && t.trainable && !t.frozen && !tape.watched.has(t.id)) {
          tape.watched.add(t.id);
          tape.found.push(t);
        }
      }
    }
    if (!inputs.some((t) => tape.watched.has(t.id))) continue;
    tape.entries.push({ name, inputs, outputs, backward });
    for (const o of outputs) tape.watched.add(o.id);
  }
}

/** Runs `f` without recording gradients (inference, optimizer updates). */
export function noGrad<T>(f: () => T): T {
  paused++;
  try {
    return f();
  } finally {
    paused--;
  }
}

export interface ValueAndGrads {
  /** What `f` returned. */
  value: Tensor;
  /** d(sum of value · dy)/d(wrt[i]), shaped like wrt[i]; zeros where wrt[i] does not reach the value. */
  grads: Tensor[];
}

/** The gradients of a run: null where a watched tensor does not reach the value. */
interface RawGradients {
  value: Tensor;
  grads: (Tensor | null)[];
  /** The trainable variables the run read and reached the value with, in order of first use (when asked to discover them). */
  found: Variable[];
  /** Their gradients. */
  foundGrads: Tensor[];
}

/** Runs `f` on a tape watching `wrt` (and, with `discover`, every trainable Variable an op reads). */
export function gradientsOf(f: () => Tensor, wrt: readonly Tensor[], dy: Tensor | undefined, where: string, discover = false): RawGradients {
  if (typeof f !== 'function') throw new ConfigError(`${where}: the first argument must be a function returning a tensor`);
  if (!Array.isArray(wrt) || wrt.some((t) => !(t instanceof Tensor))) {
    throw new ConfigError(`${where}: wrt must be an array of tensors or variables`);
  }
  const tape = new Tape(discover ? [] : null);
  for (const t of wrt) tape.watched.add(t.id);
  tapes.push(tape);
  // Recording is per tape, so a noGrad around this call must not silence it.
  const savedPause = paused;
  paused = 0;
  let value: unknown;
  try {
    value = f();
  } finally {
    paused = savedPause;
    tapes.splice(tapes.indexOf(tape), 1);
  }
  if (!(value instanceof Tensor)) throw new ConfigError(`${where}: f must return a tensor, got ${typeof value}`);
  if (dy !== undefined && !shapesEqual(dy.shape, value.shape)) {
    throw new ShapeError(`${where}: dy has shape ${fmtShape(dy.shape)} but f returned shape ${fmtShape(value.shape)}`);
  }
  const savedRoots = rootStorage;
  rootStorage = new Set(wrt.map((t) => t.values));
  let grads: Map<number, Tensor>;
  try {
    grads = backpropagate(tape, value, dy ?? onesOf(value));
  } finally {
    rootStorage = savedRoots;
  }
  // A variable read but not reaching the value gets no gradient (TF.js: null), so it is left out.
  const found = (tape.found ?? []).filter((v) => grads.has(v.id));
  return { value, grads: wrt.map((t) => grads.get(t.id) ?? null), found, foundGrads: found.map((v) => grads.get(v.id)!) };
}

/**
 * Runs `f`, recording the ops it applies to `wrt`, then back-propagates from its result.
 * A non-scalar result is reduced by sum (or weighted by `dy` when given).
 * `wrt` may hold plain tensors (an input, say) and Variables alike.
 * @example const { value, grads: [dw] } = st.valueAndGrads(() => st.sum(st.square(st.matmul(x, w))), [w]);
 */
export function valueAndGrads(f: () => Tensor, wrt: readonly Tensor[], dy?: Tensor): ValueAndGrads {
  const { value, grads } = gradientsOf(f, wrt, dy, 'valueAndGrads');
  return { value, grads: wrt.map((t, i) => grads[i] ?? zerosOf(t)) };
}

/** The gradients of `f`'s (summed) result with respect to each tensor of `wrt`. */
export function grads(f: () => Tensor, wrt: readonly Tensor[], dy?: Tensor): Tensor[] {
  return valueAndGrads(f, wrt, dy).grads;
}

// Storage of the tensors whose gradients the running backward pass returns (its wrt), so an op's
// backward pass can tell an intermediate gradient (only its producer reads it) from one the caller sees.
let rootStorage: Set<unknown> | null = null;

/**
 * Whether the backward pass now running returns the gradient of a tensor with this storage to its
 * caller (a wrt tensor or a reshape of one). A backward pass may hand its producer a gradient that is
 * only right for that producer (see ops/relu-pool-grad.ts) when this is false.
 */
export function isGradientRoot(values: unknown): boolean {
  return rootStorage === null || rootStorage.has(values);
}

// The gradient accumulator uses a plain kernel-free add so this module stays below ops/.
let addFn: ((a: Tensor, b: Tensor) => Tensor) | null = null;
/** Wires the differentiable `add` op in (ops/ registers it; autograd sits below ops). */
export function setGradientAdder(add: (a: Tensor, b: Tensor) => Tensor): void {
  addFn = add;
}

function backpropagate(tape: Tape, y: Tensor, dy: Tensor): Map<number, Tensor> {
  const grads = new Map<number, Tensor>([[y.id, dy]]);
  for (let i = tape.entries.length - 1; i >= 0; i--) {
    const e = tape.entries[i];
    if (!e.outputs.some((o) => grads.has(o.id))) continue;
    const dys = e.outputs.map((o) => grads.get(o.id) ?? zerosOf(o));
    const dxs = e.backward(dys, e.inputs.map((x) => tape.watched.has(x.id)));
    for (let j = 0; j < e.inputs.length; j++) {
      const x = e.inputs[j];
      const dx = dxs[j];
      if (!dx || !tape.watched.has(x.id)) continue;
      if (!shapesEqual(dx.shape, x.shape)) {
        throw new GradientError(
          `gradient of ${e.name}: input ${j} has shape ${fmtShape(x.shape)} but its gradient has shape ${fmtShape(dx.shape)}`);
      }
      const prev = grads.get(x.id);
      grads.set(x.id, prev ? addFn!(prev, dx) : dx);
    }
  }
  return grads;
}

function onesOf(t: Tensor): Tensor {
  const v = new (t.values.constructor as new (n: number) => Tensor['values'])(t.size);
  v.fill(1);
  return new Tensor(v, t.shape);
}

function zerosOf(t: Tensor): Tensor {
  return new Tensor(new (t.values.constructor as new (n: number) => Tensor['values'])(t.size), t.shape);
}
