/**
 * The benchmark items: what each measures, in which unit, and the name bench_torch.py knows it by.
 * One item is one number per implementation (a column of the table).
 */

export type WorkloadId = 'W1' | 'W2' | 'W3' | 'W4' | 'W5' | 'W6';

/** What one step of an item does. */
export type ItemKind =
  | { type: 'matmul'; n: number }
  | { type: 'conv-forward' }
  | { type: 'train'; model: ModelId; batch?: number; sequence?: number }
  | { type: 'infer'; model: ModelId; batch?: number };

export type ModelId = 'mlp' | 'cnn' | 'upsampler' | 'lstm' | 'gru' | 'simple-rnn';

export interface Item {
  /** Also the item name of bench/torch/bench_torch.py. */
  id: string;
  workload: WorkloadId;
  /** Row label of the table. */
  metric: string;
  kind: ItemKind;
  /**
   * 'GFLOPS' and 'samples/s' are rates (higher is better, work per step × steps / s); 'ms' is the time
   * of one step (lower is better).
   */
  unit: 'GFLOPS' | 'samples/s' | 'ms';
  /** Work of one step in the unit's numerator: GFLOP, or samples (the batch). */
  work: number;
}

/** W6: a 'same' 3×3 conv of a 1×64×64×32 input to 64 channels; flops = 2·H·W·Cin·Cout·9. */
export const CONV_FORWARD = { input: [1, 64, 64, 32], filters: 64, kernel: 3 } as const;
const CONV_FORWARD_GFLOP = (2 * 64 * 64 * 32 * 64 * 9) / 1e9;

const matmul = (n: number): Item => ({
  id: `gemm-${n}`, workload: 'W1', metric: `matmul ${n} GFLOPS`, kind: { type: 'matmul', n }, unit: 'GFLOPS', work: (2 * n ** 3) / 1e9,
});

/** Batch size of each model's training and batched-inference steps. */
export const BATCH: Record<ModelId, number> = { mlp: 128, cnn: 64, upsampler: 32, lstm: 32, gru: 32, 'simple-rnn': 32 };

const train = (id: string, workload: WorkloadId, model: ModelId, label: string): Item => ({
  id, workload, metric: `${label} train samples/s`, kind: { type: 'train', model }, unit: 'samples/s', work: BATCH[model],
});
const infer = (id: string, workload: WorkloadId, model: ModelId, label: string): Item => ({
  id, workload, metric: `${label} infer samples/s`, kind: { type: 'infer', model }, unit: 'samples/s', work: BATCH[model],
});

/** Every item, in table order. */
export const ITEMS: Item[] = [
  matmul(256), matmul(512), matmul(1024),
  train('mlp-train', 'W2', 'mlp', 'MLP'), infer('mlp-infer', 'W2', 'mlp', 'MLP'),
  train('cnn-train', 'W3', 'cnn', 'CNN'), infer('cnn-infer', 'W3', 'cnn', 'CNN'),
  { id: 'cnn-infer1', workload: 'W3', metric: 'CNN batch-1 latency ms', kind: { type: 'infer', model: 'cnn', batch: 1 }, unit: 'ms', work: 1 },
  train('deconv-train', 'W4', 'upsampler', 'upsampler'),
  train('lstm-train', 'W5', 'lstm', 'LSTM'), train('gru-train', 'W5', 'gru', 'GRU'), train('rnn-train', 'W5', 'simple-rnn', 'SimpleRNN'),
  { id: 'conv-fwd', workload: 'W6', metric: 'conv2d fwd GFLOPS', kind: { type: 'conv-forward' }, unit: 'GFLOPS', work: CONV_FORWARD_GFLOP },
];

/**
 * A training item with another batch size and/or (W5) sequence length, for the scaling figures: same
 * id (bench_torch.py takes the overrides as --batch / --seq), work = the batch.
 */
export function withShape(item: Item, shape: { batch?: number; sequence?: number }): Item {
  if (item.kind.type !== 'train') throw new Error(`bench: withShape takes a training item, got ${item.id}`);
  const batch = shape.batch ?? item.kind.batch ?? BATCH[item.kind.model];
  return { ...item, kind: { ...item.kind, batch, ...(shape.sequence ? { sequence: shape.sequence } : {}) }, work: batch };
}

/** The items of the workloads named (all when `only` is null); throws on an unknown name. */
export function selectItems(only: string[] | null): Item[] {
  if (!only) return ITEMS;
  const known = new Set(ITEMS.flatMap((i) => [i.workload, i.id]));
  const bad = only.filter((w) => !known.has(w));
  if (bad.length) throw new Error(`bench: unknown workload(s) ${bad.join(', ')}; use W1…W6 or item names (${ITEMS.map((i) => i.id).join(', ')})`);
  return ITEMS.filter((i) => only.includes(i.workload) || only.includes(i.id));
}
