import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The examples import the package as users do ('strata'); the test uses the same copy, so tensors
// and models pass between them.
import * as st from 'strata';
import { type Example, type ExampleResult, meetsFloors } from '../examples/example.js';
import { example as mlp } from '../examples/mlp-mnist.js';
import { example as cnn } from '../examples/cnn-mnist.js';
import { example as upsample, bilinearHalfPixel, meanPsnr } from '../examples/upsample.js';

// Saved models go under build/ and are removed afterwards.
const scratch = mkdtempSync(join(fileURLToPath(new URL('..', import.meta.url)), 'examples-vision-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the fast version of an example, checks its floors, and returns the result with its log. */
async function runFast(ex: Example): Promise<{ result: ExampleResult; lines: string[] }> {
  const lines: string[] = [];
  const result = await ex.run({ fast: true, out: join(scratch, ex.name), flags: {}, log: (l) => lines.push(l), verbose: 0, seed: 1 });
  assert.equal(result.modelDir, join(scratch, ex.name));
  assert.ok(result.seconds > 0);
  assert.ok(meetsFloors(result), `${ex.name}: ${JSON.stringify(result.figures)}\n${lines.join('\n')}`);
  return { result, lines };
}

/** Accuracy of a classifier on MNIST images, by argmax of its outputs. */
function accuracy(model: st.Model, images: st.Tensor, labels: st.Tensor): number {
  const probs = model.predict(images, { batchSize: 256 }) as st.Tensor;
  const p = probs.dataSync(), y = labels.dataSync();
  let right = 0;
  for (let i = 0; i < y.length; i++) {
    let best = 0;
    for (let k = 1; k < 10; k++) if (p[i * 10 + k] > p[i * 10 + best]) best = k;
    if (best === y[i]) right++;
  }
  return right / y.length;
}

for (const ex of [mlp, cnn]) {
  test(`${ex.name} (fast) learns MNIST past its floor; the saved model reproduces its test accuracy`, async () => {
    const { result, lines } = await runFast(ex);
    const [acc] = result.figures;
    assert.equal(acc.name, 'test accuracy');
    assert.ok(lines.some((l) => l.includes('test accuracy')), 'the example logs its result');
    const loaded = await st.loadLayersModel(join(result.modelDir, 'model.json'));
    const { test: held } = await st.datasets.mnist({ limit: { train: 1, test: 1000 } });
    assert.ok(Math.abs(accuracy(loaded, held.images, held.labels) - acc.value) < 1e-6, 'the loaded model scores as the trained one did');
  });
}

test('upsample (fast) beats bilinear PSNR; the saved model reproduces its PSNR', async () => {
  const { result } = await runFast(upsample);
  const [model, bilinear, nearest] = result.figures;
  assert.equal(model.floor, Math.ceil(bilinear.value * 100) / 100);
  assert.ok(bilinear.value > nearest.value, `bilinear ${bilinear.value} dB should beat nearest ${nearest.value} dB`);
  const loaded = await st.loadLayersModel(join(result.modelDir, 'model.json'));
  const { test: held } = await st.datasets.mnist({ limit: { train: 1, test: 500 } });
  const restored = loaded.predict(st.avgPool(held.images, 2, 2, 'valid'), { batchSize: 256 }) as st.Tensor;
  assert.deepEqual(restored.shape, [500, 28, 28, 1]);
  assert.ok(Math.abs(meanPsnr(restored, held.images) - model.value) < 1e-3, 'the loaded model scores as the trained one did');
});

test('bilinearHalfPixel weights the two nearest pixels ¾ and ¼ and clamps at the edges', () => {
  const up = bilinearHalfPixel(st.tensor([0, 4, 8, 12], [1, 2, 2, 1]));
  assert.deepEqual(up.shape, [1, 4, 4, 1]);
  // Row 0 interpolates only along the columns; rows 1 and 2 mix the two input rows ¾ + ¼.
  assert.deepEqual(Array.from(up.dataSync()), [
    0, 1, 3, 4,
    2, 3, 5, 6,
    6, 7, 9, 10,
    8, 9, 11, 12,
  ]);
});

test('meanPsnr averages per-image PSNR in dB', () => {
  const target = st.zeros([2, 2, 2, 1]);
  // Image 0 off by 0.1 everywhere (MSE 0.01 → 20 dB), image 1 by 0.01 (MSE 1e-4 → 40 dB).
  const predicted = st.tensor([0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.01], [2, 2, 2, 1]);
  assert.ok(Math.abs(meanPsnr(predicted, target) - 30) < 1e-4);
});
