// The `strata` command, run as users run it (node bin/strata.js, after `npm run build`), plus unit
// tests of its model-spec parser (CSV reading: cli-csv.test.ts). Image files are written with sharp.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp, { type Sharp } from 'sharp';
import * as st from '../src/index.js';
import { expectClose } from './helpers.js';
import { buildLayers, buildModel, parseSpec } from '../src/cli/spec.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'strata.js');
const fixtures = fileURLToPath(new URL('./fixtures/cli-examples/', import.meta.url));
const tmp = join(root, 'build', `cli-test-${process.pid}`);
mkdirSync(tmp, { recursive: true });
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const at = (...p: string[]) => join(tmp, ...p);

interface Run { code: number | null; stdout: string; stderr: string }

function strata(...args: string[]): Run {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: tmp, encoding: 'utf8', env: { ...process.env, STRATA_EXAMPLES_DIR: fixtures, STRATA_DEBUG: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A failing run: the exit code, and exactly one `strata: error:` line on stderr with no stack. */
function expectFailure(r: Run, code: number, ...fragments: string[]): void {
  assert.equal(r.code, code, `exit code ${r.code} (stderr: ${r.stderr})`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0], /^strata: error: /);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
  for (const f of fragments) assert.ok(lines[0].includes(f), `'${lines[0]}' should mention '${f}'`);
}

// --- data for the end-to-end tests ------------------------------------------------------------

// Three well-separated classes of 3 numbers, with a header and the label in the middle column.
const rng = new st.Random(7);
const rows: string[] = ['a,species,b,c'];
for (let i = 0; i < 90; i++) {
  const k = i % 3;
  rows.push([(k * 3 + rng.uniform()).toFixed(3), ['setosa', 'virginica', 'versicolor'][k], (-k * 2 + rng.uniform()).toFixed(3), rng.uniform().toFixed(3)].join(','));
}
writeFileSync(at('flowers.csv'), rows.join('\n') + '\n');
writeFileSync(at('query.csv'), 'a,b,c\n0.5,0.5,0.5\n6.5,-3.5,0.5\n');
const spec = { layers: [{ type: 'dense', units: 12, activation: 'relu' }, { type: 'dense', units: 'classes', activation: 'softmax' }], optimizer: { type: 'adam', learningRate: 0.05 } };
writeFileSync(at('spec.json'), JSON.stringify(spec));

/** A grey image with a faint diagonal ramp, so resizing changes its pixels. */
function grey(width: number, value: number, height = width): Sharp {
  const px = Uint8Array.from({ length: width * height }, (_, i) => Math.min(255, value + ((i % width) + Math.floor(i / width)) * 2));
  return sharp(px, { raw: { width, height, channels: 1 } });
}
for (const [cls, base] of [['dark', 20], ['light', 200]] as const) {
  mkdirSync(at('shapes', cls), { recursive: true });
  for (let i = 0; i < 8; i++) await grey(6, base + i).png().toFile(at('shapes', cls, `${i}.png`));
}
await grey(6, 220).png().toFile(at('light.png'));
await grey(4, 220).png().toFile(at('tiny.png'));
await grey(15, 190, 11).jpeg({ quality: 80 }).toFile(at('light-big.jpg'));
writeFileSync(at('cnn.json'), JSON.stringify({
  layers: [
    { type: 'conv', rank: 2, filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', dropout: 0.1, pooling: { type: 'max', poolSize: 2 } },
    { type: 'flatten' }, { type: 'dense', units: 'classes', activation: 'softmax' },
  ],
  optimizer: { type: 'adam', learningRate: 0.05 },
}));

// --- end to end ------------------------------------------------------------------------------

test('strata --help, subcommand help and --version', () => {
  const main = strata('--help');
  assert.equal(main.code, 0);
  for (const s of ['train', 'evaluate', 'predict', 'summary', 'example', 'Exit codes', '2  usage error']) assert.ok(main.stdout.includes(s), s);
  for (const cmd of ['train', 'evaluate', 'predict', 'summary', 'example']) {
    const r = strata(cmd, '--help');
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`^Usage: strata ${cmd}`));
    assert.ok(r.stdout.includes('Examples:') && r.stdout.includes('Exit codes:'), `${cmd} --help has examples and exit codes`);
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.equal(strata('--version').stdout.trim(), pkg.version);
});

test('train a spec on a CSV, then evaluate, predict rows and summarise', () => {
  const t = strata('train', 'spec.json', '--data', 'flowers.csv', '--label-column', 'species', '--epochs', '40', '--batch-size', '16',
    '--validation-split', '0.1', '--out', 'flowers-model', '--verbose', '0');
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /90 samples of shape \[3\], 3 classes \(setosa, versicolor, virginica\)/);
  for (const f of ['model.json', 'strata.json']) assert.ok(existsSync(at('flowers-model', f)), f);
  const side = JSON.parse(readFileSync(at('flowers-model', 'strata.json'), 'utf8'));
  assert.deepEqual(side.classNames, ['setosa', 'versicolor', 'virginica']);
  assert.equal(side.input.labelColumn, 'species');

  const e = strata('evaluate', 'flowers-model', '--data', 'flowers.csv');
  assert.equal(e.code, 0, e.stderr);
  const acc = Number(/accuracy\s+([\d.]+)/.exec(e.stdout)?.[1]);
  assert.ok(acc >= 0.9, `accuracy ${acc} on well-separated classes`);

  const p = strata('predict', 'flowers-model', 'query.csv', '--top', '2');
  assert.equal(p.code, 0, p.stderr);
  const lines = p.stdout.trim().split('\n');
  assert.match(lines[0], /^row 1: setosa \([01]\.\d+\), \w+ \([01]\.\d+\)$/);
  assert.match(lines[1], /^row 2: versicolor /);
  // Rows with the label column (the training file itself) work too.
  assert.match(strata('predict', 'flowers-model', 'flowers.csv').stdout.split('\n')[1], /^row 2: virginica/);

  const s = strata('summary', 'flowers-model');
  assert.equal(s.code, 0);
  assert.match(s.stdout, /Total params: 87/); // 3·12 + 12 + 12·3 + 3
  const s2 = strata('summary', 'spec.json', '--input-shape', '3', '--classes', '3');
  assert.match(s2.stdout, /Total params: 87/);
});

test('train a conv spec on a PNG folder and predict a PNG with the class name', () => {
  const t = strata('train', 'cnn.json', '--data', 'shapes', '--epochs', '15', '--batch-size', '4', '--out', 'shapes-model', '--verbose', '0');
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /16 samples of shape \[6, 6, 1\], 2 classes \(dark, light\)/);
  const p = strata('predict', 'shapes-model', 'light.png');
  assert.equal(p.code, 0, p.stderr);
  assert.match(p.stdout, /^light\.png: light \([01]\.\d+\)/);
  const summary = strata('summary', 'shapes-model').stdout;
  assert.ok(summary.includes('MaxPooling2D') && summary.includes('Dropout'), 'the shorthands became layers');
});

test('export writes a trained model as ONNX that ONNX Runtime runs with the model\'s predictions', async () => {
  assert.ok(existsSync(at('shapes-model', 'model.json')), 'the conv test above saved shapes-model');
  const r = strata('export', 'shapes-model', '--out', 'shapes.onnx');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /saved shapes\.onnx/);
  const ort = (await import('onnxruntime-node')).default;
  const session = await ort.InferenceSession.create(readFileSync(at('shapes.onnx')));
  const model = await st.loadLayersModel(at('shapes-model', 'model.json'));
  const x = st.randomUniform([3, 6, 6, 1], 0, 1, 'float32', 5);
  const res = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x.dataSync() as Float32Array, x.shape) });
  expectClose(res[session.outputNames[0]].data as Float32Array, model.predict(x) as st.Tensor, 1e-4, 1e-3, 'ONNX Runtime vs Strata');
  expectFailure(strata('export', 'shapes-model', '--format', 'keras'), 2, "--format must be one of onnx, got 'keras'");
  expectFailure(strata('export', 'no-such-model'), 2, "'no-such-model' not found");
});

test('an image folder of mixed formats and sizes trains (resized to the first image); bad files stop the run or, with --skip-bad, are counted', async () => {
  for (const [cls, base] of [['dark', 20], ['light', 200]] as const) {
    mkdirSync(at('photos', cls), { recursive: true });
    await grey(6, base).png().toFile(at('photos', cls, 'a.png'));
    await grey(9, base + 3, 7).jpeg({ quality: 90 }).toFile(at('photos', cls, 'b.jpg'));
    await grey(12, base + 5).toColourspace('srgb').webp().toFile(at('photos', cls, 'c.webp'));
    await grey(5, base + 7).gif().toFile(at('photos', cls, 'd.gif'));
  }
  const ok = strata('train', 'cnn.json', '--data', 'photos', '--epochs', '2', '--out', 'photos-model', '--verbose', '0');
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /8 samples of shape \[6, 6, 1\], 2 classes \(dark, light\)/);
  const jpeg = readFileSync(at('photos', 'dark', 'b.jpg'));
  writeFileSync(at('photos', 'dark', 'e.jpg'), jpeg.subarray(0, jpeg.length >> 1));
  writeFileSync(at('photos', 'light', 'f.png'), 'not an image');
  expectFailure(strata('train', 'cnn.json', '--data', 'photos', '--epochs', '1'), 1, join('dark', 'e.jpg'), 'cannot decode', '--skip-bad');
  const skip = strata('train', 'cnn.json', '--data', 'photos', '--epochs', '1', '--out', 'photos-model', '--verbose', '0', '--skip-bad');
  assert.equal(skip.code, 0, skip.stderr);
  assert.match(skip.stdout, /skipping .*e\.jpg: cannot decode/);
  assert.match(skip.stdout, /skipping .*f\.png: cannot decode/);
  assert.match(skip.stdout, /skipped 2 unreadable images \(--skip-bad\)/);
  assert.match(skip.stdout, /8 samples of shape \[6, 6, 1\]/);
  const ev = strata('evaluate', 'photos-model', '--data', 'photos', '--skip-bad');
  assert.equal(ev.code, 0, ev.stderr);
  assert.match(ev.stdout, /evaluated on 8 samples/);
});

test('predict resizes an image of another size and format: the same class and probability as the resized tensor', async () => {
  // shapes-model was trained on 6×6 grey PNGs; light-big.jpg is a 15×11 JPEG.
  const p = strata('predict', 'shapes-model', 'light-big.jpg', '--top', '2');
  assert.equal(p.code, 0, p.stderr);
  const m = /^light-big\.jpg: (\w+) \(([01]\.\d+)\), (\w+) \(([01]\.\d+)\)$/.exec(p.stdout.trim());
  assert.ok(m, p.stdout);
  assert.equal(m[1], 'light');
  const resized = await sharp(at('light-big.jpg')).toColourspace('b-w').resize({ width: 6, height: 6, fit: 'fill', kernel: 'linear' }).raw().toBuffer();
  writeFileSync(at('light-big.json'), JSON.stringify(Array.from(resized, (v) => [v / 255])));
  const q = strata('predict', 'shapes-model', 'light-big.json', '--top', '2');
  assert.equal(q.code, 0, q.stderr);
  assert.equal(q.stdout.trim(), p.stdout.trim().replace('light-big.jpg', 'sample 1'));
  const tiny = strata('predict', 'shapes-model', 'tiny.png');
  assert.equal(tiny.code, 0, tiny.stderr);
  assert.match(tiny.stdout, /^tiny\.png: light /);
});

test('strata example: --list, a run, and a missed floor', () => {
  const list = strata('example', '--list');
  assert.equal(list.code, 0);
  assert.match(list.stdout, /^tiny-threshold\s+learns x0 > x1/m);
  const help = strata('example', 'tiny-threshold', '--help');
  assert.match(help.stdout, /--floor X/);
  const ok = strata('example', 'tiny-threshold', '--fast', '--out', 'ex-model', '--mood', 'calm');
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /flags: \{"mood":"calm"\}/);
  assert.match(ok.stdout, /train accuracy\s+0\.\d+\s+\(floor 0\.8: met\)/);
  assert.match(ok.stdout, /run time [\d.]+ s/);
  assert.ok(existsSync(at('ex-model', 'model.json')));
  const missed = strata('example', 'tiny-threshold', '--fast', '--out', 'ex-model', '--floor', '1.01');
  assert.match(missed.stdout, /NOT met/);
  expectFailure(missed, 1, 'floor');
  expectFailure(strata('example', 'nope'), 2, "no example 'nope'", 'tiny-threshold');
});

test('bad inputs: one line on stderr, no stack, the documented exit code', () => {
  expectFailure(strata('train', 'missing.json', '--data', 'flowers.csv'), 2, 'missing.json', 'not found');
  expectFailure(strata('train', 'spec.json', '--data', 'missing.csv'), 2, 'missing.csv');
  expectFailure(strata('predict', 'flowers-model', 'missing.png'), 2, 'missing.png');
  expectFailure(strata('evaluate', 'no-model', '--data', 'flowers.csv'), 2, 'no-model');
  expectFailure(strata('train', 'spec.json', '--data', 'flowers.csv', '--label-column', 'colour'), 2, "'colour'", 'species');
  expectFailure(strata('train', 'spec.json', '--data', 'flowers.csv', '--label-column', '9'), 2, "'9' is not a column");
  expectFailure(strata('predict', 'shapes-model', 'flowers.csv'), 1, 'flowers.csv', '6×6 grey-scale images');
  writeFileSync(at('fake.jpg'), 'not a photo');
  expectFailure(strata('predict', 'shapes-model', 'fake.jpg'), 1, 'fake.jpg', 'cannot decode');
  writeFileSync(at('bad-type.json'), JSON.stringify({ layers: [{ type: 'dense', units: 4 }, { type: 'convolution', filters: 2 }] }));
  expectFailure(strata('train', 'bad-type.json', '--data', 'flowers.csv'), 1, 'layer 1', "unknown layer type 'convolution'", 'conv2d');
  writeFileSync(at('bad-option.json'), JSON.stringify({ layers: [{ type: 'dense', units: 4, activaton: 'relu' }] }));
  expectFailure(strata('train', 'bad-option.json', '--data', 'flowers.csv'), 1, 'layer 0 (dense)', "unknown option 'activaton'", 'activation');
  expectFailure(strata('train', 'spec.json', '--data', 'flowers.csv', '--epochs', 'many'), 2, '--epochs');
  expectFailure(strata('train', 'spec.json', '--data', 'flowers.csv', '--epoch', '3'), 2, "unknown option '--epoch'", '--epochs');
  expectFailure(strata('fit'), 2, "unknown command 'fit'");
});

// --- unit tests: spec parser and CSV ---------------------------------------------------------

test('spec: factory names, Keras class names and placeholders build the model', () => {
  const s = parseSpec({
    inputShape: [8, 8, 1],
    layers: [
      { type: 'conv', rank: 2, filters: 4, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu', dropout: 0.25, pooling: { type: 'max', poolSize: 2 } },
      { type: 'Flatten' }, { type: 'dense', units: 'classes', activation: 'softmax' },
    ],
  }, 's.json');
  const model = buildModel(s, { classes: 5 }, undefined, 's.json');
  assert.deepEqual(model.layers.map((l) => l.className), ['Conv2D', 'MaxPooling2D', 'Dropout', 'Flatten', 'Dense']);
  assert.equal(model.countParams(), 4 * 9 + 4 + (4 * 4 * 4) * 5 + 5);
  const rnn = buildLayers(parseSpec({ layers: [{ type: 'embedding', inputDim: 'vocabulary', outputDim: 3 }, { type: 'recurrent', cell: 'lstm', units: 2 }, { type: 'conv2dTranspose', filters: 1, kernelSize: 2 }] }, 'r.json'), { vocabulary: 50 }, 'r.json');
  assert.deepEqual(rnn.map((l) => l.className), ['Embedding', 'LSTM', 'Conv2DTranspose']);
  assert.equal((rnn[0].getConfig() as { inputDim: number }).inputDim, 50);
});

test('spec: errors name the layer, the bad key and the allowed ones', () => {
  const build = (layers: unknown[], ctx = {}) => () => buildLayers(parseSpec({ layers }, 'x.json'), ctx, 'x.json');
  assert.throws(build([{ type: 'dense', units: 2 }, { type: 'dense', unts: 3, units: 1 }]), /x\.json: layer 1 \(dense\): unknown option 'unts'; allowed: .*units/);
  assert.throws(build([{ type: 'lstn', units: 2 }]), /x\.json: layer 0: unknown layer type 'lstn'; known types: .*lstm/);
  assert.throws(build([{ type: 'conv', rank: 4, filters: 1, kernelSize: 1 }]), /layer 0 \(conv\): conv: rank must be 1, 2 or 3/);
  assert.throws(build([{ type: 'dense', units: 'classes' }]), /units is "classes" but the data has no classes/);
  assert.throws(() => parseSpec({ layers: [], lossFn: 'mse' }, 'y.json'), /y\.json: unknown key 'lossFn'/);
  assert.throws(() => parseSpec({ layers: [{ units: 3 }] }, 'y.json'), /layer 0 must be an object with a "type"/);
  assert.throws(() => parseSpec({ inputShape: [0, 2], layers: [{ type: 'flatten' }] }, 'y.json'), /"inputShape" must be a list of positive integers/);
});
