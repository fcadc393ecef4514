import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { type Activation, getActivation } from '../activations/index.js';
import { type Initializer, type InitializerIdentifier, getInitializer } from '../initializers/index.js';
import { type Regularizer, type RegularizerIdentifier, getRegularizer } from '../regularizers/index.js';
import { type Constraint, type ConstraintIdentifier, getConstraint } from '../constraints/index.js';
import type { LayerOptions, WeightOptions } from './layer.js';
import { type Cell, UnitForgetBias } from './rnn-cells.js';

type ActivationId = string | Activation | ((x: Tensor) => Tensor) | null;

/** Options of a recurrent cell, shared by SimpleRNN/LSTM/GRU layers and their cells (TF.js names, Keras 3 defaults). */
export interface CellOptions extends LayerOptions {
  /** Size of the state and of the output: a positive integer. */
  units: number;
  /** Activation of the candidate and output, default 'tanh'. */
  activation?: ActivationId;
  /** Default true. */
  useBias?: boolean;
  /** Input kernel initializer, default 'glorotUniform'. */
  kernelInitializer?: InitializerIdentifier;
  /** Recurrent kernel initializer, default 'orthogonal'. */
  recurrentInitializer?: InitializerIdentifier;
  /** Default 'zeros'. */
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  recurrentRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: ConstraintIdentifier | null;
  recurrentConstraint?: ConstraintIdentifier | null;
  biasConstraint?: ConstraintIdentifier | null;
  /** Fraction of the input features dropped while training, in [0, 1); default 0. */
  dropout?: number;
  /** Fraction of the recurrent state dropped (before the recurrent matmuls) while training; default 0. */
  recurrentDropout?: number;
  /** Seed of the dropout masks: the same masks at every call (tests); omitted: fresh masks per call. */
  seed?: number;
}

/** Cell options with the gate-specific ones (LSTM: recurrentActivation, unitForgetBias; GRU: recurrentActivation, resetAfter). */
export interface AnyCellOptions extends CellOptions {
  recurrentActivation?: ActivationId;
  unitForgetBias?: boolean;
  resetAfter?: boolean;
}

/** Checked cell options, as layers and cells hold them. */
export interface CellSettings {
  readonly units: number;
  readonly activation: Activation;
  readonly recurrentActivation: Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly recurrentInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly recurrentRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  readonly recurrentConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly seed?: number;
  readonly unitForgetBias: boolean;
  readonly resetAfter: boolean;
}

/** A dropout rate option: a number in [0, 1), 0 when absent. */
function rate(where: string, name: string, v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new ConfigError(`${where}: ${name} must be a number in [0, 1), got ${JSON.stringify(v)}`);
  return v;
}

/** Validates cell options; `where` names the layer in errors. */
export function cellSettings(opts: AnyCellOptions, where: string): CellSettings {
  if (!opts || !Number.isInteger(opts.units) || opts.units <= 0) {
    throw new ConfigError(`${where}: units (size of the state) must be a positive integer, got ${JSON.stringify(opts?.units)}`);
  }
  if (opts.seed !== undefined && !Number.isFinite(opts.seed)) throw new ConfigError(`${where}: seed must be a finite number, got ${JSON.stringify(opts.seed)}`);
  return {
    units: opts.units,
    activation: getActivation(opts.activation === undefined ? 'tanh' : opts.activation, `${where} activation`),
    recurrentActivation: getActivation(opts.recurrentActivation === undefined ? 'sigmoid' : opts.recurrentActivation, `${where} recurrentActivation`),
    useBias: opts.useBias ?? true,
    kernelInitializer: getInitializer(opts.kernelInitializer ?? 'glorotUniform', `${where} kernelInitializer`),
    recurrentInitializer: getInitializer(opts.recurrentInitializer ?? 'orthogonal', `${where} recurrentInitializer`),
    biasInitializer: getInitializer(opts.biasInitializer ?? 'zeros', `${where} biasInitializer`),
    kernelRegularizer: getRegularizer(opts.kernelRegularizer, `${where} kernelRegularizer`),
    recurrentRegularizer: getRegularizer(opts.recurrentRegularizer, `${where} recurrentRegularizer`),
    biasRegularizer: getRegularizer(opts.biasRegularizer, `${where} biasRegularizer`),
    kernelConstraint: getConstraint(opts.kernelConstraint, `${where} kernelConstraint`),
    recurrentConstraint: getConstraint(opts.recurrentConstraint, `${where} recurrentConstraint`),
    biasConstraint: getConstraint(opts.biasConstraint, `${where} biasConstraint`),
    dropout: rate(where, 'dropout', opts.dropout),
    recurrentDropout: rate(where, 'recurrentDropout', opts.recurrentDropout),
    seed: opts.seed,
    unitForgetBias: opts.unitForgetBias ?? true,
    resetAfter: opts.resetAfter ?? true,
  };
}

/** The weights of a cell in Keras order and layout. */
export interface CellWeights {
  kernel: Variable;
  recurrentKernel: Variable;
  bias?: Variable;
}

type AddWeight = (name: string, shape: number[], init: Initializer, opts: WeightOptions) => Variable;

/**
 * Makes a cell's weights for `features` inputs: kernel [features, gates·u], recurrent_kernel
 * [u, gates·u], bias [gates·u] ([2, 3u] for GRU resetAfter; LSTM's forget slice at 1 with unitForgetBias).
 */
export function makeCellWeights(s: CellSettings, cell: Cell, features: number, addWeight: AddWeight): CellWeights {
  const u = s.units, k = cell.gates;
  const kernel = addWeight('kernel', [features, k * u], s.kernelInitializer, { regularizer: s.kernelRegularizer, constraint: s.kernelConstraint });
  const recurrentKernel = addWeight('recurrent_kernel', [u, k * u], s.recurrentInitializer,
    { regularizer: s.recurrentRegularizer, constraint: s.recurrentConstraint });
  if (!s.useBias) return { kernel, recurrentKernel };
  const twoBiases = cell.kind === 'gru' && s.resetAfter;
  const init = cell.kind === 'lstm' && s.unitForgetBias ? new UnitForgetBias(s.biasInitializer, u) : s.biasInitializer;
  const bias = addWeight('bias', twoBiases ? [2, k * u] : [k * u], init, { regularizer: s.biasRegularizer, constraint: s.biasConstraint });
  return { kernel, recurrentKernel, bias };
}

/** The options that rebuild the settings (getConfig), with the gate-specific ones for the cell kind. */
export function cellConfig(s: CellSettings, cell: Cell): Record<string, unknown> {
  const config: Record<string, unknown> = {
    units: s.units, activation: s.activation.name, useBias: s.useBias,
    kernelInitializer: s.kernelInitializer, recurrentInitializer: s.recurrentInitializer, biasInitializer: s.biasInitializer,
    kernelRegularizer: s.kernelRegularizer, recurrentRegularizer: s.recurrentRegularizer, biasRegularizer: s.biasRegularizer,
    kernelConstraint: s.kernelConstraint, recurrentConstraint: s.recurrentConstraint, biasConstraint: s.biasConstraint,
    dropout: s.dropout, recurrentDropout: s.recurrentDropout,
  };
  if (s.seed !== undefined) config.seed = s.seed;
  if (cell.kind === 'lstm') Object.assign(config, { recurrentActivation: s.recurrentActivation.name, unitForgetBias: s.unitForgetBias });
  if (cell.kind === 'gru') Object.assign(config, { recurrentActivation: s.recurrentActivation.name, resetAfter: s.resetAfter });
  return config;
}

/** The feature count of a cell's input shape ([batch, features], or [batch, time, features] from a layer). */
export function cellFeatures(where: string, shape: readonly (number | null)[], rank: 2 | 3): number {
  const features = shape[shape.length - 1];
  if (shape.length !== rank || features === null) {
    const layout = rank === 3 ? '[batch, time, features]' : '[batch, features]';
    throw new ShapeError(`${where}: expected input of rank ${rank} ${layout} with known features, ` +
      `got ${fmtShape(shape as number[])}; did you forget an embedding or a reshape?`);
  }
  return features;
}
