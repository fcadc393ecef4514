import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/tape.js';
import type { MetricFn } from './functional.js';

/**
 * A metric accumulated over batches (Keras' stateful metrics): `updateState` per batch, `result`
 * for the epoch so far, `resetState` between epochs.
 */
export abstract class Metric {
  constructor(readonly name: string) {}
  /** Adds a batch; `sampleWeight` [batch] weighs samples (default 1). */
  abstract updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor | null): void;
  /** The metric over everything added since the last reset. */
  abstract result(): number;
  abstract resetState(): void;
}

/** The weighted mean of a per-sample function over all batches (accuracy, mae, ...). */
export class MeanMetricWrapper extends Metric {
  private total = 0;
  private count = 0;
  constructor(name: string, readonly fn: MetricFn) {
    super(name);
  }
  updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor | null): void {
    const values = noGrad(() => this.fn(yTrue, yPred)).values;
    const per = values.length / Math.max(1, sampleWeight?.size ?? values.length);
    for (let i = 0; i < values.length; i++) {
      const w = sampleWeight ? sampleWeight.values[Math.floor(i / per)] : 1;
      this.total += values[i] * w;
      this.count += w;
    }
  }
  result(): number {
    return this.count === 0 ? 0 : this.total / this.count;
  }
  resetState(): void {
    this.total = 0;
    this.count = 0;
  }
}
