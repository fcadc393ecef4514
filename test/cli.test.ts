// The `strata` command, run as users run it (node bin/strata.js, after `npm run build`), plus unit
// tests of its PNG codec and model-spec parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as st from '../src/index.js';
import { type PngImage, crc32, decodePng, encodePng } from '../src/cli/png.js';
import { buildLayers, buildModel, parseSpec } from '../src/cli/spec.js';
import { parseCsv } from '../src/cli/csv.js';

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

function grey(size: number, value: number): PngImage {
  return { width: size, height: size, channels: 1, pixels: new Uint8Array(size * size).fill(value) };
}
for (const [cls, base] of [['dark', 20], ['light', 220]] as const) {
  mkdirSync(at('shapes', cls), { recursive: true });
  for (let i = 0; i < 8; i++) writeFileSync(at('shapes', cls, `${i}.png`), encodePng(grey(6, base + i), { filter: (i % 5) as 0 }));
}
writeFileSync(at('light.png'), encodePng(grey(6, 240)));
writeFileSync(at('tiny.png'), encodePng(grey(4, 240)));
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
  expectFailure(strata('predict', 'shapes-model', 'tiny.png'), 1, 'tiny.png', '4×4', '6×6');
  mkdirSync(at('mixed', 'a'), { recursive: true });
  writeFileSync(at('mixed', 'a', '1.png'), encodePng(grey(6, 1)));
  writeFileSync(at('mixed', 'a', '2.png'), encodePng(grey(5, 1)));
  expectFailure(strata('train', 'cnn.json', '--data', 'mixed'), 1, '2.png', '5×5', '6×6', 'one size');
  writeFileSync(at('bad-type.json'), JSON.stringify({ layers: [{ type: 'dense', units: 4 }, { type: 'convolution', filters: 2 }] }));
  expectFailure(strata('train', 'bad-type.json', '--data', 'flowers.csv'), 1, 'layer 1', "unknown layer type 'convolution'", 'conv2d');
  writeFileSync(at('bad-option.json'), JSON.stringify({ layers: [{ type: 'dense', units: 4, activaton: 'relu' }] }));
  expectFailure(strata('train', 'bad-option.json', '--data', 'flowers.csv'), 1, 'layer 0 (dense)', "unknown option 'activaton'", 'activation');
  expectFailure(strata('train', 'spec.json', '--data', 'flowers.csv', '--epochs', 'many'), 2, '--epochs');
  expectFailure(strata('train', 'spec.json', '--data', 'flowers.csv', '--epoch', '3'), 2, "unknown option '--epoch'", '--epochs');
  expectFailure(strata('fit'), 2, "unknown command 'fit'");
});

// --- unit tests: PNG codec -------------------------------------------------------------------

function pattern(w: number, h: number, c: number): Uint8Array {
  return Uint8Array.from({ length: w * h * c }, (_, i) => (i * 37 + (i >> 3) * 11) & 255);
}

test('PNG round trip: every channel count and every row filter', () => {
  for (const channels of [1, 2, 3, 4] as const) {
    for (const filter of [0, 1, 2, 3, 4] as const) {
      const img = { width: 7, height: 5, channels, pixels: pattern(7, 5, channels) };
      const back = decodePng(encodePng(img, { filter }));
      assert.deepEqual({ ...back, pixels: Array.from(back.pixels) }, { ...img, pixels: Array.from(img.pixels) }, `channels ${channels}, filter ${filter}`);
    }
  }
});

test('PNG palette images decode to RGB, or RGBA with transparency', () => {
  const colors = [[255, 0, 0], [0, 128, 255], [9, 9, 9]];
  const rgb = Uint8Array.from({ length: 4 * 3 }, (_, i) => colors[Math.floor(i / 3) % 3][i % 3]);
  const back = decodePng(encodePng({ width: 2, height: 2, channels: 3, pixels: rgb }, { palette: true }));
  assert.equal(back.channels, 3);
  assert.deepEqual(Array.from(back.pixels), Array.from(rgb));
  const rgba = Uint8Array.from([1, 2, 3, 0, 1, 2, 3, 0, 4, 5, 6, 255, 7, 8, 9, 128]);
  const back4 = decodePng(encodePng({ width: 2, height: 2, channels: 4, pixels: rgba }, { palette: true }));
  assert.equal(back4.channels, 4);
  assert.deepEqual(Array.from(back4.pixels), Array.from(rgba));
});

/** A PNG file from raw IHDR fields and unfiltered rows (filter byte 0 added), for depths the encoder does not write. */
function rawPng(width: number, height: number, depth: number, colorType: number, rows: number[][], extra: [string, number[]][] = []): Uint8Array {
  const chunk = (type: string, data: Uint8Array): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4); ihdr[8] = depth; ihdr[9] = colorType;
  const body = Buffer.from(rows.flatMap((r) => [0, ...r]));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
    ...extra.map(([t, d]) => chunk(t, Uint8Array.from(d))), chunk('IDAT', deflateSync(body)), chunk('IEND', new Uint8Array(0))]);
}

test('PNG decoder reads low bit depths, 16-bit samples and 4-bit palettes', () => {
  // 2-bit grey: samples 0, 1, 2, 3 / 3, 2, 1, 0 → 0, 85, 170, 255.
  const g2 = decodePng(rawPng(4, 2, 2, 0, [[0b00011011], [0b11100100]]));
  assert.deepEqual(Array.from(g2.pixels), [0, 85, 170, 255, 255, 170, 85, 0]);
  // 16-bit RGB keeps the high byte.
  const rgb16 = decodePng(rawPng(1, 1, 16, 2, [[0x12, 0x34, 0xab, 0xcd, 0xff, 0x00]]));
  assert.deepEqual([rgb16.channels, ...rgb16.pixels], [3, 0x12, 0xab, 0xff]);
  // 4-bit palette, 3 pixels (indices 1, 0, 2) with transparency for entry 0 only.
  const pal = decodePng(rawPng(3, 1, 4, 3, [[0x10, 0x20]], [['PLTE', [10, 20, 30, 40, 50, 60, 70, 80, 90]], ['tRNS', [7]]]));
  assert.deepEqual([pal.channels, ...pal.pixels], [4, 40, 50, 60, 255, 10, 20, 30, 7, 70, 80, 90, 255]);
});

test('PNG decoder refuses interlaced, corrupt and non-PNG files with a clear message', () => {
  const png = encodePng(grey(3, 9));
  const interlaced = Uint8Array.from(png);
  interlaced[8 + 8 + 12] = 1; // IHDR's interlace byte
  new DataView(interlaced.buffer).setUint32(8 + 8 + 13, crc32(interlaced.subarray(12, 8 + 8 + 13)));
  assert.throws(() => decodePng(interlaced, 'a.png'), /a\.png: interlaced .* not supported/);
  const corrupt = Uint8Array.from(png);
  corrupt[20] ^= 1;
  assert.throws(() => decodePng(corrupt, 'b.png'), /b\.png: chunk IHDR fails its CRC check/);
  assert.throws(() => decodePng(new TextEncoder().encode('hello, world'), 'c.txt'), /c\.txt: not a PNG file/);
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

test('CSV: header detection, quotes and ragged rows', () => {
  const withHeader = parseCsv('x,"label, quoted"\n1,"a ""b"""\n\n2,c\n', 'h.csv');
  assert.deepEqual(withHeader.header, ['x', 'label, quoted']);
  assert.deepEqual(withHeader.rows, [['1', 'a "b"'], ['2', 'c']]);
  assert.deepEqual(withHeader.lines, [2, 4]);
  assert.equal(parseCsv('1,2\n3,4\n', 'n.csv').header, null);
  assert.equal(parseCsv('1,cat,2\n3,dog,4\n', 'l.csv').header, null, 'a text label column is not a header');
  assert.throws(() => parseCsv('1,2\n3\n', 'r.csv'), /r\.csv: line 2 has 1 fields, expected 2/);
});
