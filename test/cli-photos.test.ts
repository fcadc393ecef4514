// Issue 17's acceptance on real photos: a folder of JPEGs made from MNIST digits (mixed sizes,
// qualities and colour modes, a few PNG and WebP files, two corrupt files) trains through the CLI to
// within one point of the accuracy the same spec reaches on the digits as tensors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import * as st from '../src/index.js';
import { buildModel, parseSpec } from '../src/cli/spec.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tmp = join(root, 'build', `cli-photos-${process.pid}`);
mkdirSync(tmp, { recursive: true });
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const at = (...p: string[]) => join(tmp, ...p);

const CLASSES = ['zero', 'one', 'two'];
const mn = await st.datasets.mnist({ limit: { train: 1500, test: 3000 } });
/** The digits 0–2 of a split as 0–255 bytes with labels. */
function digits(split: { images: st.Tensor; labels: st.Tensor }): { bytes: Uint8Array; label: number }[] {
  const px = split.images.dataSync(), lb = split.labels.dataSync(), out = [];
  for (let i = 0; i < lb.length; i++) {
    if (lb[i] <= 2) out.push({ bytes: Uint8Array.from(px.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 255)), label: lb[i] });
  }
  return out;
}
const train = digits(mn.train), held = digits(mn.test);
for (const c of CLASSES) mkdirSync(at('photos', c), { recursive: true });
const grey = (b: Uint8Array) => sharp(b, { raw: { width: 28, height: 28, channels: 1 } });
await Promise.all(train.map((d, k) => {
  const file = at('photos', CLASSES[d.label], `d${String(k).padStart(4, '0')}`);
  const size = [28, 40, 56, 33][k % 4];
  let img = grey(d.bytes).resize(size, size, { kernel: 'lanczos3' });
  if (k % 3 === 0) img = img.toColourspace('srgb');
  if (k % 50 === 7) return img.png().toFile(file + '.png');
  if (k % 50 === 19) return img.webp({ quality: 90 }).toFile(file + '.webp');
  return img.jpeg({ quality: [70, 85, 95][k % 3] }).toFile(file + '.jpg');
}));
writeFileSync(at('photos', 'one', 'cut.jpg'), readFileSync(at('photos', CLASSES[train[1].label], 'd0001.jpg')).subarray(0, 300));
writeFileSync(at('photos', 'two', 'notes.png'), 'not a picture at all');

const spec = {
  inputShape: [28, 28, 1],
  layers: [
    { type: 'conv', rank: 2, filters: 8, kernelSize: 3, activation: 'relu', pooling: { type: 'max', poolSize: 2 } },
    { type: 'flatten' }, { type: 'dense', units: 'classes', activation: 'softmax' },
  ],
  optimizer: { type: 'adam', learningRate: 0.01 },
};
writeFileSync(at('spec.json'), JSON.stringify(spec));
// The held-out digits as a PNG folder (lossless), for `strata evaluate`.
for (const c of CLASSES) mkdirSync(at('held', c), { recursive: true });
await Promise.all(held.map((d, k) => grey(d.bytes).png().toFile(at('held', CLASSES[d.label], `h${String(k).padStart(4, '0')}.png`))));

function strata(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'strata.js'), ...args], { cwd: tmp, encoding: 'utf8', env: { ...process.env, STRATA_DEBUG: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a folder of real photos trains through the CLI to within 1 point of the same spec trained on the tensors', async () => {
  const t = strata('train', 'spec.json', '--data', 'photos', '--skip-bad', '--epochs', '3', '--seed', '5', '--out', 'photo-model', '--verbose', '0');
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /skipped 2 unreadable images \(--skip-bad\)/);
  assert.match(t.stdout, new RegExp(`${train.length} samples of shape \\[28, 28, 1\\], 3 classes`));
  const e = strata('evaluate', 'photo-model', '--data', 'held');
  assert.equal(e.code, 0, e.stderr);
  const viaPhotos = Number(/accuracy\s+([\d.]+)/.exec(e.stdout)?.[1]);

  // The same spec and seed on the original digits, in the folder's (sorted) order, as tensors.
  const order = CLASSES.flatMap((_, c) => train.map((d, k) => ({ ...d, k })).filter((d) => d.label === c));
  const tensors = (ds: { bytes: Uint8Array; label: number }[]) => [
    st.tensor(Float32Array.from(ds.flatMap((d) => Array.from(d.bytes, (v) => v / 255))), [ds.length, 28, 28, 1]),
    st.tensor(Int32Array.from(ds, (d) => d.label), [ds.length]),
  ] as const;
  st.setSeed(5);
  const model = buildModel(parseSpec(spec, 'spec.json'), { classes: 3 }, [28, 28, 1], 'spec.json');
  model.compile({ optimizer: st.optimizers.adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const [x, y] = tensors(order);
  await model.fit(x, y, { epochs: 3, batchSize: 32, shuffle: true, verbose: 0 });
  const [hx, hy] = tensors(held);
  const direct = (model.evaluate(hx, hy) as st.Tensor[])[1].dataSync()[0];
  assert.ok(direct > 0.95, `direct accuracy ${direct}`);
  assert.ok(Math.abs(viaPhotos - direct) <= 0.01, `through photos ${viaPhotos} vs on tensors ${direct} (${held.length} held-out digits)`);
});
