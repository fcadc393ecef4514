/**
 * The first model to try: a fully connected network on MNIST digits. Each 28×28 image is flattened
 * to 784 pixels, a hidden layer of ReLU units learns features, dropout keeps it from memorising,
 * and a softmax layer gives the probability of each digit. Full run: 60,000 training images
 * (10% held out for validation), scored on the 10,000 test images.
 */
import * as st from 'strata';
import { type Example, type ExampleOptions, type ExampleResult, secondsSince } from './example.js';

const FULL = { train: 60000, test: 10000, epochs: 8, floor: 0.97 };
// Fast: enough images and steps that a working network clearly learns, in a few seconds.
const FAST = { train: 4000, test: 1000, epochs: 3, floor: 0.85 };

/** A positive integer flag (`--units 256`), or the default when absent. */
function intFlag(flags: ExampleOptions['flags'], name: string, fallback: number): number {
  const v = flags[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new st.ConfigError(`mlp-mnist: --${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

async function run(options: ExampleOptions): Promise<ExampleResult> {
  const t0 = performance.now();
  const size = options.fast ? FAST : FULL;
  const epochs = options.epochs ?? size.epochs;
  const units = intFlag(options.flags, 'units', 256);
  const batchSize = intFlag(options.flags, 'batch-size', 64);
  st.setSeed(options.seed);

  const { train, test } = await st.datasets.mnist({ limit: { train: size.train, test: size.test } });
  options.log(`MNIST: ${train.images.shape[0]} training and ${test.images.shape[0]} test images, 28×28, pixels in [0, 1]`);

  const model = st.sequential({ layers: [
    st.layers.flatten({ inputShape: [28, 28, 1] }),
    st.layers.dense({ units, activation: 'relu' }),
    st.layers.dropout({ rate: 0.2 }),
    st.layers.dense({ units: 10, activation: 'softmax' }),
  ] });
  // Integer labels with the sparse loss: no one-hot matrix needed.
  model.compile({ optimizer: st.optimizers.adam({ learningRate: 0.001 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  model.summary(98, options.log);

  options.log(`training ${epochs} epoch(s), batch ${batchSize}, Adam 0.001`);
  await model.fit(train.images, train.labels, {
    epochs, batchSize, validationSplit: 0.1, seed: options.seed, verbose: options.verbose,
  });

  const [loss, accuracy] = model.evaluate(test.images, test.labels, { batchSize: 256 }) as st.Tensor[];
  options.log(`test loss ${loss.item().toFixed(4)}, test accuracy ${accuracy.item().toFixed(4)}`);
  await model.save(options.out);
  options.log(`model saved to ${options.out}`);
  return {
    figures: [{ name: 'test accuracy', value: accuracy.item(), floor: size.floor }],
    seconds: secondsSince(t0),
    modelDir: options.out,
    notes: [`${units} hidden units, ${epochs} epoch(s) on ${train.images.shape[0]} images (${Math.round(train.images.shape[0] * 0.9)} trained, the rest validation)`],
  };
}

export const example: Example = {
  name: 'mlp-mnist',
  description: 'A fully connected network (flatten → dense ReLU → dropout → softmax) on MNIST digits: ≥ 97% test accuracy',
  flagsHelp: [
    '--units N       hidden units (default 256)',
    '--batch-size N  samples per step (default 64)',
  ],
  run,
};
