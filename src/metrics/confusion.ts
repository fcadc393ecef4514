import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { Metric } from './metric.js';

function weightAt(sampleWeight: Tensor | null | undefined, i: number, per: number): number {
  return sampleWeight ? sampleWeight.values[Math.floor(i / per)] : 1;
}

/** Fraction of predicted positives (yPred > threshold, default 0.5) that are positive. */
export class Precision extends Metric {
  private tp = 0;
  private fp = 0;
  constructor(readonly threshold = 0.5, name = 'precision') {
    super(name);
  }
  updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor | null): void {
    const t = yTrue.values, p = yPred.values;
    const per = p.length / Math.max(1, sampleWeight?.size ?? p.length);
    for (let i = 0; i < p.length; i++) {
      if (p[i] <= this.threshold) continue;
      const w = weightAt(sampleWeight, i, per);
      if (t[i] > 0.5) this.tp += w;
      else this.fp += w;
    }
  }
  result(): number {
    return this.tp + this.fp === 0 ? 0 : this.tp / (this.tp + this.fp);
  }
  resetState(): void {
    this.tp = this.fp = 0;
  }
}

/** Fraction of positives that are predicted positive (yPred > threshold, default 0.5). */
export class Recall extends Metric {
  private tp = 0;
  private fn = 0;
  constructor(readonly threshold = 0.5, name = 'recall') {
    super(name);
  }
  updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor | null): void {
    const t = yTrue.values, p = yPred.values;
    const per = p.length / Math.max(1, sampleWeight?.size ?? p.length);
    for (let i = 0; i < p.length; i++) {
      if (t[i] <= 0.5) continue;
      const w = weightAt(sampleWeight, i, per);
      if (p[i] > this.threshold) this.tp += w;
      else this.fn += w;
    }
  }
  result(): number {
    return this.tp + this.fn === 0 ? 0 : this.tp / (this.tp + this.fn);
  }
  resetState(): void {
    this.tp = this.fn = 0;
  }
}

/**
 * Area under the ROC (default) or precision–recall curve, from confusion counts at `numThresholds`
 * evenly spaced thresholds (default 200), integrated with the trapezoid rule, as Keras' AUC.
 */
export class AUC extends Metric {
  private readonly thresholds: Float64Array;
  private readonly tp: Float64Array;
  private readonly fp: Float64Array;
  private readonly tn: Float64Array;
  private readonly fn: Float64Array;
  constructor(readonly numThresholds = 200, readonly curve: 'ROC' | 'PR' = 'ROC', name = 'auc') {
    super(name);
    if (!Number.isInteger(numThresholds) || numThresholds < 2) throw new ConfigError(`AUC: numThresholds must be an integer > 1, got ${numThresholds}`);
    // Keras' thresholds: 0 − ε, evenly spaced interior points, 1 + ε.
    const n = numThresholds;
    this.thresholds = new Float64Array(n);
    for (let i = 1; i < n - 1; i++) this.thresholds[i] = i / (n - 1);
    this.thresholds[0] = -1e-7;
    this.thresholds[n - 1] = 1 + 1e-7;
    this.tp = new Float64Array(n);
    this.fp = new Float64Array(n);
    this.tn = new Float64Array(n);
    this.fn = new Float64Array(n);
  }
  updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor | null): void {
    const t = yTrue.values, p = yPred.values;
    const per = p.length / Math.max(1, sampleWeight?.size ?? p.length);
    for (let i = 0; i < p.length; i++) {
      const w = weightAt(sampleWeight, i, per);
      const positive = t[i] > 0.5;
      for (let k = 0; k < this.thresholds.length; k++) {
        const predicted = p[i] > this.thresholds[k];
        if (positive) {
          if (predicted) this.tp[k] += w;
          else this.fn[k] += w;
        } else if (predicted) this.fp[k] += w;
        else this.tn[k] += w;
      }
    }
  }
  result(): number {
    let area = 0;
    for (let k = 0; k < this.thresholds.length - 1; k++) {
      const [x0, y0] = this.point(k);
      const [x1, y1] = this.point(k + 1);
      area += (x0 - x1) * (y0 + y1) / 2;
    }
    return area;
  }
  private point(k: number): [number, number] {
    const tpr = this.tp[k] / Math.max(this.tp[k] + this.fn[k], 1e-12);
    if (this.curve === 'ROC') return [this.fp[k] / Math.max(this.fp[k] + this.tn[k], 1e-12), tpr];
    const precision = this.tp[k] + this.fp[k] > 0 ? this.tp[k] / (this.tp[k] + this.fp[k]) : 1;
    return [tpr, precision];
  }
  resetState(): void {
    for (const a of [this.tp, this.fp, this.tn, this.fn]) a.fill(0);
  }
}

/** sqrt of the mean squared error over everything seen. */
export class RootMeanSquaredError extends Metric {
  private sum = 0;
  private count = 0;
  constructor(name = 'rmse') {
    super(name);
  }
  updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor | null): void {
    const t = yTrue.values, p = yPred.values;
    const per = p.length / Math.max(1, sampleWeight?.size ?? p.length);
    for (let i = 0; i < p.length; i++) {
      const w = weightAt(sampleWeight, i, per);
      this.sum += w * (p[i] - t[i]) ** 2;
      this.count += w;
    }
  }
  result(): number {
    return this.count === 0 ? 0 : Math.sqrt(this.sum / this.count);
  }
  resetState(): void {
    this.sum = this.count = 0;
  }
}

/** Coefficient of determination 1 − SS_res / SS_tot over everything seen (all outputs pooled). */
export class R2Score extends Metric {
  private n = 0;
  private sumY = 0;
  private sumY2 = 0;
  private ssRes = 0;
  constructor(name = 'r2') {
    super(name);
  }
  updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor | null): void {
    const t = yTrue.values, p = yPred.values;
    const per = p.length / Math.max(1, sampleWeight?.size ?? p.length);
    for (let i = 0; i < p.length; i++) {
      const w = weightAt(sampleWeight, i, per);
      this.n += w;
      this.sumY += w * t[i];
      this.sumY2 += w * t[i] * t[i];
      this.ssRes += w * (t[i] - p[i]) ** 2;
    }
  }
  result(): number {
    const ssTot = this.sumY2 - (this.sumY * this.sumY) / Math.max(this.n, 1e-12);
    return ssTot <= 0 ? 0 : 1 - this.ssRes / ssTot;
  }
  resetState(): void {
    this.n = this.sumY = this.sumY2 = this.ssRes = 0;
  }
}
