import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as st from '../src/index.js';

// The README's example must run as printed, importing the package by its name.
test('the README example runs and learns its line', () => {
  const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
  const block = /## Ten lines\s+```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README has a "Ten lines" ts block');
  const code = block[1];
  assert.ok(code.split('\n').filter((l) => l.trim()).length <= 12, 'the example stays about ten lines');
  // Inside the repository, 'strata' resolves to this package through its exports map.
  const dir = mkdtempSync(join(process.cwd(), 'build', 'readme-'));
  const file = join(dir, 'example.mjs');
  writeFileSync(file, code);
  let out: string;
  try {
    out = execFileSync(process.execPath, [file], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const losses = [...out.matchAll(/loss ([\d.]+)/g)].map((m) => Number(m[1]));
  assert.ok(losses.length >= 2 && losses[0] > 1 && losses[losses.length - 1] < 1e-4, `losses ${losses.join(', ')}`);
  const weights = [...out.split("\n").slice(-4).join(" ").matchAll(/-?\d+(?:\.\d*)?(?:e-?\d+)?/g)].slice(-3).map(Number);
  assert.ok(Math.abs(weights[0] - 2) < 1e-3 && Math.abs(weights[1] + 1) < 1e-3 && Math.abs(weights[2] - 0.5) < 1e-3, out);
});

// The "Coming from TensorFlow.js" program runs as printed: TF.js idiom, imported as 'strata'.
test('the README\'s TensorFlow.js program runs and learns', () => {
  const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
  const block = /## Coming from TensorFlow.js[\s\S]*?```js\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README has a "Coming from TensorFlow.js" js block');
  assert.match(block[1], /import \* as tf from 'strata'/);
  const dir = mkdtempSync(join(process.cwd(), 'build', 'readme-'));
  const file = join(dir, 'tfjs.mjs');
  writeFileSync(file, block[1]);
  let out: string;
  try {
    out = execFileSync(process.execPath, [file], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal([...out.matchAll(/^epoch \d+: acc [\d.]+$/gm)].length, 3, out);
  const acc = Number(/accuracy ([\d.]+)/.exec(out)?.[1]);
  assert.ok(acc >= 0.9, `accuracy ${acc}:\n${out}`);
});

// The "Bring your model" program runs as printed, on a PyTorch-exported ONNX file and a Keras archive.
test('the README\'s bring-your-model program runs: ONNX and Keras in, fine-tuned, and out again', async () => {
  const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
  const block = /## Bring your model[\s\S]*?```js\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README has a "Bring your model" js block');
  const dir = mkdtempSync(join(process.cwd(), 'build', 'readme-'));
  try {
    // net.onnx: the MLP that PyTorch exported (test/fixtures/onnx-torch/make.py); classifier.keras: a small Keras 3 archive.
    copyFileSync(join(process.cwd(), 'test', 'fixtures', 'onnx-torch', 'mlp.onnx'), join(dir, 'net.onnx'));
    const clf = st.sequential({ layers: [st.layers.dense({ units: 4, activation: 'relu', inputShape: [6] }), st.layers.dense({ units: 3, activation: 'softmax' })] });
    await clf.save(join(dir, 'classifier.keras'));
    writeFileSync(join(dir, 'bring.mjs'), block[1]);
    const out = execFileSync(process.execPath, [join(dir, 'bring.mjs')], { encoding: 'utf8', cwd: dir });
    assert.match(out, /\[ 1, 10 \] \[ null, 3 \]/);
    const copy = await st.loadKerasModel(join(dir, 'classifier-copy.keras'));
    const x = st.randomNormal([2, 6], 0, 1, 'float32', 3);
    assert.deepEqual(Array.from((copy.predict(x) as st.Tensor).dataSync()), Array.from((clf.predict(x) as st.Tensor).dataSync()));
    const tuned = await st.loadOnnxModel(join(dir, 'net-tuned.onnx'));
    assert.deepEqual(tuned.outputs[0].shape, [null, 10]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
