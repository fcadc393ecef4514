/**
 * Super-resolution with a transposed convolution: MNIST digits are shrunk to 14×14 (each output
 * pixel the mean of a 2×2 block) and a small network learns to restore the 28×28 originals. A
 * convolution finds stroke features in the small image, a stride-2 transposed convolution paints
 * them onto the doubled grid, and a last convolution turns them into pixel values in [0, 1].
 *
 * The score is PSNR on test images (peak signal-to-noise ratio, dB; higher is closer), next to the
 * two classic resizers applied to the same 14×14 inputs: nearest neighbour (repeat each pixel) and
 * bilinear with half-pixel centres (as PIL, OpenCV and TensorFlow 2's tf.image.resize). The network
 * must beat bilinear. For reference it also reports the bilinear of Strata's UpSampling2D, which
 * follows TensorFlow.js (align-corners and half-pixel both false: the grid is shifted by a quarter
 * of a low-resolution pixel, so it scores lower on this task).
 */
import * as st from 'strata';
import { type Example, type ExampleOptions, type ExampleResult, secondsSince } from './example.js';

const FULL = { train: 20000, test: 10000, epochs: 2, filters: 32, batchSize: 32, learningRate: 0.003 };
// Fast: the network must already beat bilinear after one short epoch.
const FAST = { train: 2000, test: 500, epochs: 1, filters: 8, batchSize: 8, learningRate: 0.01 };

/** A positive integer flag (`--filters 16`), or the default when absent. */
function intFlag(flags: ExampleOptions['flags'], name: string, fallback: number): number {
  const v = flags[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new st.ConfigError(`upsample: --${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

/**
 * 2× bilinear upsampling of [n, h, w, 1] with half-pixel centres: output pixel j samples the input
 * at (j + 0.5) / 2 − 0.5, clamped to the edge, so the weights are ¼ and ¾ of the two nearest pixels.
 */
export function bilinearHalfPixel(x: st.Tensor): st.Tensor {
  const [n, h, w] = x.shape;
  const src = x.dataSync() as Float32Array;
  const out = new Float32Array(n * 4 * h * w);
  const taps = (j: number, len: number): [number, number, number] => {
    const s = Math.max(0, (j + 0.5) / 2 - 0.5);
    const i0 = Math.min(Math.floor(s), len - 1);
    return [i0, Math.min(i0 + 1, len - 1), s - i0];
  };
  const rows = Array.from({ length: 2 * h }, (_, j) => taps(j, h));
  const cols = Array.from({ length: 2 * w }, (_, j) => taps(j, w));
  for (let b = 0; b < n; b++) {
    const img = b * h * w;
    for (let r = 0; r < 2 * h; r++) {
      const [r0, r1, fr] = rows[r];
      for (let c = 0; c < 2 * w; c++) {
        const [c0, c1, fc] = cols[c];
        const top = src[img + r0 * w + c0] * (1 - fc) + src[img + r0 * w + c1] * fc;
        const bottom = src[img + r1 * w + c0] * (1 - fc) + src[img + r1 * w + c1] * fc;
        out[(b * 2 * h + r) * 2 * w + c] = top * (1 - fr) + bottom * fr;
      }
    }
  }
  return st.tensor(out, [n, 2 * h, 2 * w, 1]);
}

/** Mean over images of each image's PSNR in dB, for pixels in [0, 1]: 10·log10(1 / MSE). */
export function meanPsnr(predicted: st.Tensor, target: st.Tensor): number {
  const p = predicted.dataSync(), t = target.dataSync();
  const n = target.shape[0], per = target.size / n;
  let total = 0;
  for (let b = 0; b < n; b++) {
    let se = 0;
    for (let i = b * per; i < (b + 1) * per; i++) se += (p[i] - t[i]) ** 2;
    total += 10 * Math.log10(1 / Math.max(se / per, 1e-10));
  }
  return total / n;
}

/**
 * conv (f) on 14×14 → transposed conv (f, stride 2) to 28×28 → conv (1) with a sigmoid for [0, 1]
 * pixels. The sigmoid's bias starts at the logit of the mean pixel, so the first output is the
 * average grey instead of 0.5 everywhere: most pixels are background, and Adam would otherwise
 * spend its first hundreds of small steps only darkening them.
 */
function buildModel(filters: number, meanPixel: number): st.Sequential {
  const outputBias = st.initializers.constant({ value: Math.log(meanPixel / (1 - meanPixel)) });
  return st.sequential({ layers: [
    st.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [14, 14, 1] }),
    st.layers.conv2dTranspose({ filters, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
    st.layers.conv2d({ filters: 1, kernelSize: 3, padding: 'same', activation: 'sigmoid', biasInitializer: outputBias }),
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
  // The low-resolution inputs: the mean of each 2×2 block.
  const shrink = (x: st.Tensor): st.Tensor => st.avgPool(x, 2, 2, 'valid');
  const trainSmall = shrink(train.images), testSmall = shrink(test.images);
  options.log(`MNIST: ${train.images.shape[0]} training and ${test.images.shape[0]} test digits, 14×14 inputs, 28×28 targets`);

  const model = buildModel(filters, st.mean(train.images).item());
  const steps = epochs * Math.ceil(train.images.shape[0] / batchSize);
  const learningRate = new st.optimizers.schedules.CosineDecay({ initialLearningRate: size.learningRate, decaySteps: Math.max(1, steps), alpha: 0.05 });
  model.compile({ optimizer: st.optimizers.adam({ learningRate }), loss: 'meanSquaredError' });
  model.summary(98, options.log);
  options.log(`training ${epochs} epoch(s), batch ${batchSize}, mean squared error, Adam ${size.learningRate} with cosine decay`);
  await model.fit(trainSmall, train.images, { epochs, batchSize, seed: options.seed, verbose: options.verbose });

  const restored = model.predict(testSmall, { batchSize: 256 }) as st.Tensor;
  const nearest = st.layers.upSampling2d({ size: 2 }).apply(testSmall) as st.Tensor;
  const tfjsBilinear = st.layers.upSampling2d({ size: 2, interpolation: 'bilinear' }).apply(testSmall) as st.Tensor;
  const psnr = {
    model: meanPsnr(restored, test.images),
    bilinear: meanPsnr(bilinearHalfPixel(testSmall), test.images),
    nearest: meanPsnr(nearest, test.images),
    tfjsBilinear: meanPsnr(tfjsBilinear, test.images),
  };
  options.log(`test PSNR: model ${psnr.model.toFixed(2)} dB, bilinear ${psnr.bilinear.toFixed(2)} dB, nearest ${psnr.nearest.toFixed(2)} dB`);
  await model.save(options.out);
  options.log(`model saved to ${options.out}`);
  return {
    figures: [
      { name: 'PSNR (dB)', value: psnr.model, floor: Math.ceil(psnr.bilinear * 100) / 100 },
      { name: 'bilinear PSNR (dB)', value: psnr.bilinear },
      { name: 'nearest PSNR (dB)', value: psnr.nearest },
      { name: 'bilinear, TF.js grid, PSNR (dB)', value: psnr.tfjsBilinear },
    ],
    seconds: secondsSince(t0),
    modelDir: options.out,
    notes: [
      `PSNR is the mean over the ${test.images.shape[0]} test images of 10·log10(1 / MSE), pixels in [0, 1]`,
      `${filters} filters, ${epochs} epoch(s) on ${train.images.shape[0]} digits, ${model.countParams()} weights`,
    ],
  };
}

export const example: Example = {
  name: 'upsample',
  description: 'Super-resolution with conv2dTranspose: 14×14 MNIST digits restored to 28×28, scored by PSNR against bilinear and nearest',
  flagsHelp: [
    '--filters N     filters of the convolution and the transposed convolution (default 32)',
    '--batch-size N  samples per step (default 32)',
    '--train N       training digits, the first N of the 60,000 (default 20000)',
  ],
  run,
};
