// CSV tables through the `strata` command: papaparse reading (quotes, delimiters), missing values
// (refused or --fill-missing), categorical columns one-hot with the vocabulary in strata.json, and
// numeric standardisation fitted on the training split only, all surviving save → load → predict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as st from '../src/index.js';
import { encodeTable, fitTableEncoding, readCsv } from '../src/cli/table.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'strata.js');
const tmp = join(root, 'build', `cli-csv-test-${process.pid}`);
mkdirSync(tmp, { recursive: true });
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const at = (...p: string[]) => join(tmp, ...p);

interface Run { code: number | null; stdout: string; stderr: string }
function strata(...args: string[]): Run {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: tmp, encoding: 'utf8', env: { ...process.env, STRATA_DEBUG: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
function expectFailure(r: Run, code: number, ...fragments: string[]): void {
  assert.equal(r.code, code, `exit code ${r.code} (stderr: ${r.stderr})`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  for (const f of fragments) assert.ok(lines[0].includes(f), `'${lines[0]}' should mention '${f}'`);
}

// The class is the colour; size grows along the file (so the training split's mean differs from
// the whole file's); weight is noise with one value missing (data row 5).
const COLOURS = ['red, dark', 'pale "blue"', 'green'];
const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
const rng = new st.Random(3);
const table: { size: number; colour: string; weight: string; label: string }[] = [];
for (let i = 0; i < 60; i++) {
  const k = i % 3;
  table.push({ size: +(i / 10 + rng.uniform()).toFixed(3), colour: COLOURS[k], weight: i === 4 ? '' : rng.uniform().toFixed(3), label: ['a', 'b', 'c'][k] });
}
const csvText = (delim: string) => ['size', 'colour', 'weight', 'kind'].join(delim) + '\n' +
  table.map((r) => [r.size, quote(r.colour), r.weight, r.label].join(delim)).join('\n') + '\n';
writeFileSync(at('things.csv'), csvText(','));
writeFileSync(at('things-semi.csv'), csvText(';'));
writeFileSync(at('query.csv'), `size,colour,weight\n1.5,${quote('pale "blue"')},0.25\n4,green,0.75\n`);
writeFileSync(at('unknown.csv'), 'size,colour,weight\n1.5,purple,0.25\n');
writeFileSync(at('spec.json'), JSON.stringify({ layers: [{ type: 'dense', units: 8, activation: 'relu' }, { type: 'dense', units: 'classes', activation: 'softmax' }], optimizer: { type: 'adam', learningRate: 0.05 } }));
const train = (data: string, out: string, ...extra: string[]) => strata('train', 'spec.json', '--data', data, '--label-column', 'kind', '--epochs', '30',
  '--batch-size', '8', '--out', out, '--verbose', '0', ...extra);

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const std = (v: number[]) => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2)));

test('CSV reading: quoted delimiter, doubled quote, header, blank lines, delimiter detection, ragged rows', async () => {
  const h = await readCsv('x,"label, quoted"\n1,"a ""b"""\n\n2,c\n', 'h.csv', null);
  assert.deepEqual(h.header, ['x', 'label, quoted']);
  assert.deepEqual(h.rows, [['1', 'a "b"'], ['2', 'c']]);
  assert.equal((await readCsv('1,2\n3,4\n', 'n.csv', null)).header, null);
  assert.equal((await readCsv('1,cat,2\n3,dog,4\n', 'l.csv', null)).header, null, 'a text label column is not a header');
  assert.deepEqual((await readCsv('a;b\n1;"x;y"\n', 's.csv', null)).rows, [['1', 'x;y']], 'semicolons detected');
  assert.deepEqual((await readCsv('a\tb\n1\t2,5\n', 't.csv', '\t')).rows, [['1', '2,5']], 'explicit tab');
  await assert.rejects(readCsv('1,2\n3\n', 'r.csv', ','), /r\.csv: row 2 has 1 fields, expected 2/);
});

test('missing values are refused with row and column, exit 1', () => {
  expectFailure(train('things.csv', 'refused'), 1, 'things.csv', 'row 5', "column 'weight'", '--fill-missing');
  expectFailure(strata('train', 'spec.json', '--data', 'things.csv', '--fill-missing', 'median'), 2, '--fill-missing', 'mean, zero, mode, drop');
});

test('categorical + quoted CSV trains; vocabulary and training-split statistics survive save → load → predict', async () => {
  const t = train('things.csv', 'm', '--fill-missing', 'mean', '--validation-split', '0.25');
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /60 samples of shape \[5\], 3 classes \(a, b, c\)/); // size + 3 one-hot + weight
  const side = JSON.parse(readFileSync(at('m', 'strata.json'), 'utf8')).input;
  assert.deepEqual(side.encoding[1], { kind: 'categorical', categories: ['green', 'pale "blue"', 'red, dark'], mode: 'red, dark' });
  assert.equal(side.fillMissing, 'mean');
  // Statistics of the first 45 rows (fit holds out the last 15), not of all 60.
  const sizes = table.slice(0, 45).map((r) => r.size);
  const weights = table.slice(0, 45).filter((r) => r.weight !== '').map((r) => Number(r.weight));
  assert.ok(Math.abs(side.normalization.mean[0] - mean(sizes)) < 1e-9, `size mean ${side.normalization.mean[0]} vs ${mean(sizes)}`);
  assert.ok(Math.abs(mean(table.map((r) => r.size)) - mean(sizes)) > 0.5, 'the whole file would give another mean');
  assert.ok(Math.abs(side.normalization.std[0] - std(sizes)) < 1e-9);
  assert.deepEqual(side.normalization.mean.slice(1, 4), [0, 0, 0]);
  assert.deepEqual(side.normalization.std.slice(1, 4), [1, 1, 1]);
  assert.ok(Math.abs(side.encoding[2].mean - mean(weights)) < 1e-9);
  assert.ok(Math.abs(side.normalization.mean[4] - mean(weights)) < 1e-9);

  const e = strata('evaluate', 'm', '--data', 'things.csv');
  assert.equal(e.code, 0, e.stderr);
  assert.ok(Number(/accuracy\s+([\d.]+)/.exec(e.stdout)?.[1]) >= 0.9, e.stdout);

  const p = strata('predict', 'm', 'query.csv', '--top', '3');
  assert.equal(p.code, 0, p.stderr);
  // The same rows encoded by hand with the sidecar's numbers, through the model loaded in memory.
  const model = await st.loadLayersModel(at('m', 'model.json'));
  const n = side.normalization;
  const rows = [[1.5, 0, 1, 0, 0.25], [4, 1, 0, 0, 0.75]].map((r) => r.map((v, j) => (v - n.mean[j]) / n.std[j]));
  const probs = (model.predict(st.tensor(Float32Array.from(rows.flat()), [2, 5])) as st.Tensor).arraySync() as number[][];
  const lines = p.stdout.trim().split('\n');
  assert.equal(lines.length, 2);
  lines.forEach((line, i) => {
    const got = Object.fromEntries([...line.matchAll(/(\w) \(([\d.]+)\)/g)].map((m) => [m[1], Number(m[2])]));
    ['a', 'b', 'c'].forEach((c, k) => assert.ok(Math.abs(got[c] - probs[i][k]) < 1e-4, `row ${i + 1} class ${c}: CLI ${got[c]} vs in-memory ${probs[i][k]}`));
  });
  assert.match(lines[0], /^row 1: b /);
  assert.match(lines[1], /^row 2: c /);

  // A category training never saw is an error (all-zeros would silently predict from nothing).
  expectFailure(strata('predict', 'm', 'unknown.csv'), 1, 'unknown.csv', 'row 1', "column 'colour'", "'purple' is not a category seen in training");
  // The training file with its label column predicts too; the missing weight is filled as in training.
  assert.match(strata('predict', 'm', 'things.csv').stdout.split('\n')[4], /^row 5: b /);
});

test('--fill-missing drop skips the row and says so; --delimiter and detection agree', () => {
  const d = train('things-semi.csv', 'dropped', '--fill-missing', 'drop');
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout, /59 samples of shape \[5\]/);
  assert.match(d.stdout, /note: dropped 1 row with missing values/);
  const explicit = train('things-semi.csv', 'dropped2', '--fill-missing', 'drop', '--delimiter', ';');
  assert.match(explicit.stdout, /59 samples of shape \[5\]/);
  expectFailure(train('things-semi.csv', 'wrong', '--fill-missing', 'drop', '--delimiter', ','), 1, 'things-semi.csv', "delimiter ','", '--delimiter');
});

test('fill values: mean and mode of the training rows, zero, categorical mode', () => {
  const cells = [['1', 'x'], ['3', 'y'], ['3', 'y'], ['', ''], ['100', 'z']];
  const { encoding } = fitTableEncoding(cells, 4); // row 5 is validation: not in any statistic
  assert.deepEqual(encoding[0], { kind: 'numeric', mean: 7 / 3, mode: 3 });
  assert.deepEqual(encoding[1], { kind: 'categorical', categories: ['x', 'y', 'z'], mode: 'y' });
  const enc = (fill: 'mean' | 'zero' | 'mode') => Array.from(encodeTable([['', '']], [4], encoding, fill, null, 'f.csv'));
  assert.deepEqual(enc('mean').map((v) => +v.toFixed(5)), [+(7 / 3).toFixed(5), 0, 1, 0]);
  assert.deepEqual(enc('mode'), [3, 0, 1, 0]);
  assert.deepEqual(enc('zero'), [0, 0, 0, 0]);
  assert.throws(() => encodeTable([['', 'x']], [4], encoding, undefined, ['n', 'c'], 'f.csv'), /f\.csv: row 4, column 'n' is empty/);
});
