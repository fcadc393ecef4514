/**
 * A convolutional network on MNIST digits: two 3×3 convolutions, each followed by 2×2 max pooling
 * (written with the conv layer's `pooling` shorthand, saved as plain Conv2D → MaxPooling2D),
 * dropout, a dense layer and a softmax. Convolutions share their weights across the image, so the
 * network sees strokes wherever they are and reaches ≥ 99% test accuracy with ~225k weights.
 * The learning rate follows a cosine decay to a few percent of its start over the whole run, which
 * lets the last epoch settle instead of bouncing around the minimum.
 */
import * as st from 'strata';
import { type Example, type ExampleOptions, type ExampleResult, secondsSince } from './example.js';

const FULL = { train: 60000, test: 10000, epochs: 6, filters: 32, batchSize: 64, learningRate: 0.002, floor: 0.99 };
// Fast: a slice that still separates a learning network (≈ 90%) from a broken one (≈ 10%).
const FAST = { train: 2000, test: 1000, epochs: 1, filters: 16, batchSize: 16, learningRate: 0.004, floor: 0.8 };

/** A positive integer flag (`--filters 16`), or the default when absent. */
function intFlag(flags: ExampleOptions['flags'], name: string, fallback: number): number {
  const v = flags[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new st.ConfigError(`cnn-mnist: --${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

/** conv (f) + pool → conv (2f) + pool → dropout → dense 128 → dropout → softmax. */
function buildModel(filters: number): st.Sequential {
  const pool = { type: 'max' as const, poolSize: 2 };
  return st.sequential({ layers: [
    st.layers.conv2d({ filters, kernelSize: 3, activation: 'relu', pooling: pool, inputShape: [28, 28, 1] }),
    st.layers.conv2d({ filters: 2 * filters, kernelSize: 3, activation: 'relu', pooling: pool, dropout: 0.25 }),
    st.layers.flatten(),
    st.layers.dense({ units: 128, activation: 'relu', dropout: 0.5 }),
    st.layers.dense({ units: 10, activation: 'softmax' }),
  ] });
}

async function run(options: ExampleOptions): Promise<ExampleResult> {
  const t0 = performance.now();
  const size = options.fast ? FAST : FULL;
  const epochs = options.epochs ?? size.epochs;
  const filters = intFlag(options.flags, 'filters', size.filters);
  const batchSize = intFlag(options.flags, 'batch-size', size.batchSize);
  st.setSeed(options.seed);

  const { train, test } = await st.datasets.mnist({ limit: { train: intFlag(options.flags, 'train', size.train), test: size.test } });
  const n = train.images.shape[0];
  options.log(`MNIST: ${n} training and ${test.images.shape[0]} test images, 28×28×1, pixels in [0, 1]`);

  const model = buildModel(filters);
  const steps = epochs * Math.ceil(n / batchSize);
  const learningRate = new st.optimizers.schedules.CosineDecay({ initialLearningRate: size.learningRate, decaySteps: Math.max(1, steps), alpha: 0.02 });
  model.compile({ optimizer: st.optimizers.adam({ learningRate }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  model.summary(98, options.log);

  options.log(`training ${epochs} epoch(s), batch ${batchSize}, Adam ${size.learningRate} with cosine decay over ${steps} steps`);
  await model.fit(train.images, train.labels, { epochs, batchSize, seed: options.seed, verbose: options.verbose });

  const [loss, accuracy] = model.evaluate(test.images, test.labels, { batchSize: 256 }) as st.Tensor[];
  options.log(`test loss ${loss.item().toFixed(4)}, test accuracy ${accuracy.item().toFixed(4)}`);
  await model.save(options.out);
  options.log(`model saved to ${options.out}`);
  return {
    figures: [{ name: 'test accuracy', value: accuracy.item(), floor: size.floor }],
    seconds: secondsSince(t0),
    modelDir: options.out,
    notes: [`filters ${filters}/${2 * filters}, ${epochs} epoch(s) on ${n} images, ${model.countParams()} weights`],
  };
}

export const example: Example = {
  name: 'cnn-mnist',
  description: 'A convolutional network (conv + pool, conv + pool, dropout, dense, softmax) on MNIST digits: ≥ 99% test accuracy',
  flagsHelp: [
    '--filters N     filters of the first convolution; the second has twice as many (default 32)',
    '--batch-size N  samples per step (default 64)',
    '--train N       training images, the first N of the 60,000 (default all)',
  ],
  run,
};
