import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import * as st from '../src/index.js';
import { ConfigError } from '../src/errors.js';
import { DatasetFormatError } from '../src/datasets/errors.js';

// A folder of real image files made from MNIST digits 0–2: JPEGs of mixed sizes, qualities and
// colour modes in one sub-folder per class; other formats and corrupt files in separate folders.
const root = mkdtempSync(join(tmpdir(), 'strata-imgdir-'));
const photos = join(root, 'photos'), formats = join(root, 'formats'), broken = join(root, 'broken');
const CLASSES = ['digit0', 'digit1', 'digit2'];
const mn = (await st.datasets.mnist({ limit: { train: 450, test: 1 } })).train;
const allPixels = mn.images.dataSync(), allLabels = mn.labels.dataSync();
const digits: { bytes: Uint8Array; label: number; file: string }[] = [];
for (let i = 0; i < allLabels.length; i++) {
  if (allLabels[i] > 2) continue;
  const bytes = Uint8Array.from(allPixels.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 255));
  digits.push({ bytes, label: allLabels[i], file: join(photos, CLASSES[allLabels[i]], `img${String(i).padStart(4, '0')}.jpg`) });
}
for (const c of CLASSES) mkdirSync(join(photos, c), { recursive: true });
mkdirSync(join(photos, '.hidden'));
writeFileSync(join(photos, 'digit1', 'notes.txt'), 'not an image');
const grey = (d: { bytes: Uint8Array }) => sharp(d.bytes, { raw: { width: 28, height: 28, channels: 1 } });
await Promise.all(digits.map((d, k) => {
  const size = [28, 36, 44, 56][k % 4];
  const img = grey(d).resize(size, size, { kernel: 'lanczos3' });
  return (k % 3 === 0 ? img.toColourspace('srgb') : img).jpeg({ quality: [70, 85, 95][k % 3] }).toFile(d.file);
}));

// One digit (28×28) in every other format, saved losslessly where the format allows.
const sample = digits[0].bytes;
mkdirSync(formats);
mkdirSync(broken);
const deep = Uint16Array.from(sample, (v) => v * 257 + (v % 7)); // low bytes that 8-bit decoding would lose
await sharp(deep, { raw: { width: 28, height: 28, channels: 1 } }).toColourspace('grey16').png().toFile(join(formats, 'deep16.png'));
await grey({ bytes: sample }).png({ progressive: true }).toFile(join(formats, 'interlaced.png'));
await grey({ bytes: sample }).webp({ lossless: true }).toFile(join(formats, 'lossless.webp'));
await grey({ bytes: sample }).toColourspace('srgb').gif({ colours: 256, dither: 0 }).toFile(join(formats, 'anim.gif'));
writeFileSync(join(formats, 'plain.bmp'), bmp24(sample, 28, 28));
const jpeg = readFileSync(digits[0].file);
writeFileSync(join(broken, 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
writeFileSync(join(broken, 'text.png'), 'this is not a picture');

/** A 24-bit bottom-up BMP of a grey image (rows padded to 4 bytes). */
function bmp24(g: Uint8Array, w: number, h: number): Uint8Array {
  const stride = Math.ceil((w * 3) / 4) * 4, out = new Uint8Array(54 + stride * h), v = new DataView(out.buffer);
  out.set([0x42, 0x4d]);
  v.setUint32(2, out.length, true); v.setUint32(10, 54, true); v.setUint32(14, 40, true);
  v.setInt32(18, w, true); v.setInt32(22, h, true); v.setUint16(26, 1, true); v.setUint16(28, 24, true);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out.fill(g[y * w + x], 54 + (h - 1 - y) * stride + x * 3, 54 + (h - 1 - y) * stride + x * 3 + 3);
  return out;
}

/** An 8-bit grey-palette BMP compressed with RLE8 (one run per pixel, end-of-line after each row). */
function bmpRle8(g: Uint8Array, w: number, h: number): Uint8Array {
  const runs: number[] = [];
  for (let y = h - 1; y >= 0; y--) {
    for (let x = 0; x < w; x++) runs.push(1, g[y * w + x]);
    runs.push(0, y === 0 ? 1 : 0); // end of line; end of bitmap after the last
  }
  const offset = 54 + 256 * 4, out = new Uint8Array(offset + runs.length), v = new DataView(out.buffer);
  out.set([0x42, 0x4d]);
  v.setUint32(2, out.length, true); v.setUint32(10, offset, true); v.setUint32(14, 40, true);
  v.setInt32(18, w, true); v.setInt32(22, h, true); v.setUint16(26, 1, true); v.setUint16(28, 8, true);
  v.setUint32(30, 1, true); v.setUint32(34, runs.length, true); v.setUint32(46, 256, true);
  for (let i = 0; i < 256; i++) out.set([i, i, i, 0], 54 + 4 * i);
  out.set(runs, offset);
  return out;
}

async function all<T>(ds: st.data.Dataset<T>): Promise<T[]> {
  return ds.toArray();
}

test('imageDatasetFromDirectory: classes are the sorted sub-folders, files sorted within, labels by folder', async () => {
  const ds = await st.data.imageDatasetFromDirectory(photos, { imageSize: [28, 28], shuffle: false, batchSize: 50 });
  assert.deepEqual(ds.classNames, CLASSES); // '.hidden' is skipped, notes.txt is not an image
  const sorted = [...digits].sort((a, b) => a.label - b.label || (a.file < b.file ? -1 : 1));
  assert.deepEqual(ds.filePaths, sorted.map((d) => d.file));
  assert.equal(ds.size, Math.ceil(digits.length / 50));
  const batches = await all(ds) as { xs: st.Tensor; ys: st.Tensor }[];
  assert.deepEqual(batches[0].xs.shape, [50, 28, 28, 3]);
  assert.equal(batches[0].ys.dtype, 'int32');
  assert.deepEqual(batches.flatMap((b) => Array.from(b.ys.dataSync())), sorted.map((d) => d.label));
  // classNames picks and orders the classes.
  const two = await st.data.imageDatasetFromDirectory(photos, { classNames: ['digit2', 'digit0'], shuffle: false, imageSize: 8, labelMode: 'categorical', batchSize: 500 });
  const [b] = await all(two) as { ys: st.Tensor }[];
  const n2 = digits.filter((d) => d.label === 2).length, n0 = digits.filter((d) => d.label === 0).length;
  assert.deepEqual(b.ys.shape, [n2 + n0, 2]);
  assert.deepEqual(Array.from(b.ys.dataSync().subarray(0, 2)), [1, 0]);
  assert.deepEqual(Array.from(b.ys.dataSync().subarray(2 * n2, 2 * n2 + 2)), [0, 1]);
  await assert.rejects(st.data.imageDatasetFromDirectory(photos, { classNames: ['digit9'] }), (e: Error) => e instanceof ConfigError && /digit9/.test(e.message));
  await assert.rejects(st.data.imageDatasetFromDirectory(photos, { labelMode: 'binary' }), /exactly 2 classes, found 3/);
});

test('imageDatasetFromDirectory: the seeded split is Keras\' (last floor(split·n) of the shuffled files validate)', async () => {
  const n = digits.length, nVal = Math.floor(0.3 * n);
  const opts = { imageSize: [8, 8] as [number, number], validationSplit: 0.3, seed: 11, batchSize: 16 };
  const train = await st.data.imageDatasetFromDirectory(photos, { ...opts, subset: 'training' });
  const val = await st.data.imageDatasetFromDirectory(photos, { ...opts, subset: 'validation' });
  const [train2, val2] = await st.data.imageDatasetFromDirectory(photos, { ...opts, subset: 'both' });
  assert.equal(train.filePaths.length, n - nVal);
  assert.equal(val.filePaths.length, nVal);
  assert.equal(train.size, Math.ceil((n - nVal) / 16));
  assert.deepEqual(train2.filePaths, train.filePaths);
  assert.deepEqual(val2.filePaths, val.filePaths);
  assert.deepEqual(new Set([...train.filePaths, ...val.filePaths]), new Set(digits.map((d) => d.file)));
  assert.equal(new Set([...train.filePaths, ...val.filePaths]).size, n);
  const other = await st.data.imageDatasetFromDirectory(photos, { ...opts, seed: 12, subset: 'validation' });
  assert.notDeepEqual(other.filePaths, val.filePaths);
  // The labels travel with their files through the shuffle ('both' reads validation in order);
  // each pass reshuffles the training order.
  const labelOf = new Map(digits.map((d) => [d.file, d.label]));
  const vb = await all(val2) as { ys: st.Tensor }[];
  assert.deepEqual(vb.flatMap((b) => Array.from(b.ys.dataSync())), val.filePaths.map((f) => labelOf.get(f)));
  const pass = async () => (await all(train) as { ys: st.Tensor }[]).flatMap((b) => Array.from(b.ys.dataSync())).join('');
  assert.notEqual(await pass(), await pass());
  // Without shuffling the order is the sorted one, and validation takes its tail.
  const sortedVal = await st.data.imageDatasetFromDirectory(photos, { ...opts, shuffle: false, subset: 'validation' });
  const sortedAll = await st.data.imageDatasetFromDirectory(photos, { shuffle: false });
  assert.deepEqual(sortedVal.filePaths, sortedAll.filePaths.slice(n - nVal));
  await assert.rejects(st.data.imageDatasetFromDirectory(photos, { validationSplit: 0.3, subset: 'training' }), /give a seed/);
  await assert.rejects(st.data.imageDatasetFromDirectory(photos, { validationSplit: 0.3 }), /together/);
  await assert.rejects(st.data.imageDatasetFromDirectory(photos, { validationSplit: 0.001, subset: 'training', seed: 1 }), /no validation files/);
});

test('every format decodes to the source pixels; resized pixels are sharp\'s own resize of the file', async () => {
  const expect16 = Array.from(deep, (v) => v / 257);
  for (const [file, want] of [['deep16.png', expect16], ['interlaced.png', sample], ['lossless.webp', sample], ['anim.gif', sample], ['plain.bmp', sample]] as const) {
    const x = await st.data.readImage(join(formats, file), { colorMode: 'grayscale' });
    assert.deepEqual(x.shape, [28, 28, 1], file);
    const got = x.dataSync();
    for (let i = 0; i < 784; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-3, `${file} pixel ${i}: ${got[i]} vs ${want[i]}`);
  }
  for (const file of [digits[1].file, digits[3].file, join(formats, 'interlaced.png'), join(formats, 'lossless.webp')]) {
    for (const kernel of ['bilinear', 'nearest'] as const) {
      const x = await st.data.readImage(file, { imageSize: [20, 24], interpolation: kernel });
      const ref = await sharp(file).removeAlpha().toColourspace('srgb')
        .resize({ width: 24, height: 20, fit: 'fill', kernel: kernel === 'bilinear' ? 'linear' : 'nearest' }).raw().toBuffer();
      assert.deepEqual(Array.from(x.dataSync()), Array.from(ref), `${file} ${kernel}`);
    }
  }
  const crop = await st.data.readImage(digits[2].file, { imageSize: [10, 20], cropToAspectRatio: true, colorMode: 'grayscale' });
  const cropRef = await sharp(digits[2].file).toColourspace('b-w').resize({ width: 20, height: 10, fit: 'cover', kernel: 'linear' }).raw().toBuffer();
  assert.deepEqual(Array.from(crop.dataSync()), Array.from(cropRef));
  // The dataset reads through the same decoder.
  const ds = await st.data.imageDatasetFromDirectory(formats, { imageSize: [20, 24], labelMode: null, shuffle: false, batchSize: 10 });
  assert.deepEqual(ds.classNames, null);
  const [batch] = await all(ds) as st.Tensor[];
  const first = await st.data.readImage(ds.filePaths[0], { imageSize: [20, 24] });
  assert.deepEqual(batch.shape, [5, 20, 24, 3]);
  assert.deepEqual(Array.from(batch.dataSync().subarray(0, 20 * 24 * 3)), Array.from(first.dataSync()));
});

test('corrupt files fail their batch with an error naming the file', async () => {
  for (const f of ['truncated.jpg', 'text.png']) {
    await assert.rejects(st.data.readImage(join(broken, f)), (e: Error) => e instanceof DatasetFormatError && e.message.includes(f));
  }
  const ds = await st.data.imageDatasetFromDirectory(broken, { labelMode: null, shuffle: false });
  await assert.rejects(all(ds), /(truncated\.jpg|text\.png): cannot decode/);
});

test('a CNN trained through imageDatasetFromDirectory matches the same CNN trained on the images as tensors', async () => {
  const make = () => {
    st.setSeed(3);
    const m = st.sequential({ layers: [
      st.layers.conv2d({ filters: 6, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      st.layers.maxPooling2d({ poolSize: 2 }), st.layers.flatten(), st.layers.dense({ units: 3, activation: 'softmax' })] });
    m.compile({ optimizer: st.optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    return m;
  };
  const ds = await st.data.imageDatasetFromDirectory(photos, { imageSize: [28, 28], colorMode: 'grayscale', batchSize: 32, shuffle: false });
  const scaled = ds.map((b) => { const { xs, ys } = b as { xs: st.Tensor; ys: st.Tensor }; return { xs: st.div(xs, 255), ys }; });
  const viaFiles = make();
  await viaFiles.fitDataset(scaled, { epochs: 2, verbose: 0 });
  // The same digits, in the same order, straight from MNIST.
  const byFile = new Map(digits.map((d) => [d.file, d]));
  const order = ds.filePaths.map((f) => byFile.get(f)!);
  const x = st.tensor(Float32Array.from(order.flatMap((d) => Array.from(d.bytes, (v) => v / 255))), [order.length, 28, 28, 1]);
  const y = st.tensor(Int32Array.from(order, (d) => d.label), [order.length]);
  const direct = make();
  await direct.fit(x, y, { epochs: 2, batchSize: 32, shuffle: false, verbose: 0 });
  const acc = (m: st.Sequential) => (m.evaluate(x, y) as st.Tensor[])[1].dataSync()[0];
  const a = acc(viaFiles), b = acc(direct);
  assert.ok(b > 0.9, `direct accuracy ${b}`);
  assert.ok(Math.abs(a - b) <= 0.01, `through files ${a} vs direct ${b}`);
});

test('textDatasetFromDirectory: texts by class folder, Keras split, maxLength', async () => {
  const dir = join(root, 'texts');
  for (const [c, words] of [['neg', ['bad', 'awful', 'dull']], ['pos', ['good', 'great', 'fine', 'superb']]] as const) {
    mkdirSync(join(dir, c), { recursive: true });
    words.forEach((w, i) => writeFileSync(join(dir, c, `${i}.txt`), `${w} film number ${i}`));
  }
  writeFileSync(join(dir, 'pos', 'skip.md'), 'not read');
  const ds = await st.data.textDatasetFromDirectory(dir, { shuffle: false, batchSize: 4, maxLength: 8, labelMode: 'binary' });
  assert.deepEqual(ds.classNames, ['neg', 'pos']);
  const batches = await all(ds) as { xs: string[]; ys: st.Tensor }[];
  assert.deepEqual(batches.flatMap((b) => b.xs), ['bad film', 'awful fi', 'dull fil', 'good fil', 'great fi', 'fine fil', 'superb f']);
  assert.deepEqual(batches[0].ys.shape, [4, 1]);
  assert.deepEqual(batches.flatMap((b) => Array.from(b.ys.dataSync())), [0, 0, 0, 1, 1, 1, 1]);
  const [tr, va] = await st.data.textDatasetFromDirectory(dir, { validationSplit: 0.3, subset: 'both', seed: 5 });
  assert.equal(va.filePaths.length, 2);
  assert.equal(tr.filePaths.length, 5);
  assert.equal(new Set([...tr.filePaths, ...va.filePaths]).size, 7);
});

test('BMP through libnsbmp (@cwasm/nsbmp): an RLE8 palette bitmap decodes to its pixels; a header asking for a huge image is refused', async () => {
  const dir = join(formats, '..', 'bmp-only');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'rle8.bmp'), bmpRle8(sample, 28, 28));
  const x = await st.data.readImage(join(dir, 'rle8.bmp'), { colorMode: 'grayscale' });
  assert.deepEqual(Array.from(x.dataSync()), Array.from(sample));
  const huge = bmp24(sample, 28, 28);
  new DataView(huge.buffer).setInt32(18, 1 << 20, true);
  writeFileSync(join(dir, 'huge.bmp'), huge);
  await assert.rejects(st.data.readImage(join(dir, 'huge.bmp')), (e: Error) => e instanceof DatasetFormatError && /huge\.bmp.*bad size/.test(e.message));
  writeFileSync(join(dir, 'cut.bmp'), bmp24(sample, 28, 28).subarray(0, 200));
  await assert.rejects(st.data.readImage(join(dir, 'cut.bmp')), (e: Error) => e instanceof DatasetFormatError && /cut\.bmp/.test(e.message));
});

test('imageDatasetFromDirectory streams: files are read batch by batch while iterating, not when the dataset is made', async () => {
  const dir = join(root, 'stream', 'one');
  mkdirSync(dir, { recursive: true });
  const files = digits.slice(0, 60).map((d, i) => join(dir, `f${String(i).padStart(2, '0')}.jpg`));
  files.forEach((f, i) => writeFileSync(f, readFileSync(digits[i].file)));
  const ds = await st.data.imageDatasetFromDirectory(join(root, 'stream'), { imageSize: 28, batchSize: 10, shuffle: false, labelMode: null });
  const it = await ds.iterator();
  assert.equal(((await it.next()).value as st.Tensor).shape[0], 10);
  // The last file is broken after the first batch was read: a dataset that decoded up front would not see it.
  writeFileSync(files[59], 'no longer an image');
  await assert.rejects((async () => { while (!(await it.next()).done); })(), /f59\.jpg: cannot decode/);
});
