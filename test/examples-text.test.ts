// The fast versions of the text and sequence examples: each trains on a slice of real data (or of
// its generated pictures), must reach its floor, and must leave a model file that loads and runs.
import { test, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as st from '../src/index.js';
import { type Example, formatFigures, meetsFloors } from '../examples/example.js';
import { example as sentiment } from '../examples/sentiment.js';
import { example as textGen } from '../examples/text-gen.js';
import { example as translate } from '../examples/translate.js';
import { example as caption } from '../examples/caption.js';

const root = join('build', `examples-text-${process.pid}`);
mkdirSync(root, { recursive: true });
after(() => rmSync(root, { recursive: true, force: true }));

async function runFast(t: TestContext, ex: Example) {
  const out = join(root, ex.name);
  const lines: string[] = [];
  const result = await ex.run({ fast: true, out, flags: {}, log: (l) => lines.push(l), verbose: 0, seed: 1 });
  assert.ok(meetsFloors(result), `${ex.name}: floors not met:\n${formatFigures(result).join('\n')}\n${lines.join('\n')}`);
  assert.equal(result.modelDir, out);
  assert.ok(lines.length > 0, `${ex.name}: logged nothing`);
  assert.ok(result.seconds > 0 && Number.isFinite(result.seconds));
  assert.ok(existsSync(join(out, 'model.json')), `${ex.name}: no model.json in ${out}`);
  // The figures, in the test report, for the record.
  for (const line of [...formatFigures(result), `${result.seconds.toFixed(1)} s`]) t.diagnostic(line);
  const loaded = await st.loadLayersModel(join(out, 'model.json'));
  return { result, loaded, lines };
}

test('sentiment (fast): the bidirectional GRU with pooling beats the floor on held-out reviews and its model loads', async (t) => {
  const { result, loaded } = await runFast(t, sentiment);
  assert.equal(result.figures[0].name, 'test accuracy');
  const bow = result.figures.find((f) => f.name === 'bag-of-words test accuracy')!;
  assert.ok(bow.value > 0.6 && bow.value <= 1, `bag-of-words baseline ${bow.value}`);
  // The loaded model reads [batch, maxLen] word ids (0 = padding, before the words) and gives one
  // probability per review: a short review of known words, and one of unknown words only.
  const maxLen = loaded.inputShapes![0][1]!;
  const short = st.datasets.padSequences([[5, 6, 7], Array(maxLen).fill(st.datasets.OOV)], { maxLen });
  const p = loaded.predict(short) as st.Tensor;
  assert.deepEqual(p.shape, [2, 1]);
  for (const v of p.dataSync()) assert.ok(v > 0 && v < 1, `probability ${v}`);
});

test('sentiment rejects an unknown cell and a bad --max-len', async () => {
  const bad = (flags: Record<string, string | boolean>) => sentiment.run({ fast: true, out: join(root, 'bad'), flags, log: () => {}, verbose: 0, seed: 1 });
  await assert.rejects(bad({ cell: 'transformer' }), /--cell must be lstm, gru or simple-rnn/);
  for (const v of ['0', '12.5', 'long', true]) await assert.rejects(bad({ 'max-len': v }), /--max-len must be a positive integer/);
});

test('text-gen (fast): held-out perplexity well below the unigram baseline, samples at each temperature', async (t) => {
  const { result, loaded } = await runFast(t, textGen);
  const [ppl, unigram] = result.figures;
  assert.equal(unigram.name, 'unigram perplexity');
  assert.ok(unigram.value > 10 && unigram.value < 40, `unigram perplexity ${unigram.value}`);
  assert.ok(ppl.value < 0.8 * unigram.value, `perplexity ${ppl.value} vs unigram ${unigram.value}`);
  for (const temp of ['0.2', '0.5', '1']) assert.ok(result.notes.some((n) => n.startsWith(`temperature ${temp}:`)), `no sample at ${temp}`);
  const w = loaded.inputShapes![0][1]!;
  const probs = (loaded.predict(st.ones([1, w], 'int32')) as st.Tensor).dataSync();
  // One distribution over the characters per position.
  const v = probs.length / w;
  let total = 0;
  for (let i = 0; i < v; i++) total += probs[i];
  assert.ok(Math.abs(total - 1) < 1e-4, `first position sums to ${total}`);
});

test('translate (fast): phoneme error rate below the letter-by-letter baseline; the model loads', async (t) => {
  const { result, loaded } = await runFast(t, translate);
  const per = result.figures.find((f) => f.name === 'phoneme error rate')!;
  const base = result.figures.find((f) => f.name === 'baseline phoneme error rate')!;
  assert.ok(per.value < base.value, `PER ${per.value} vs baseline ${base.value}`);
  assert.equal(loaded.inputNames.length, 2);
});

test('caption (fast): beats the most-frequent-caption baseline on held-out pictures; the model loads', async (t) => {
  const { result, loaded } = await runFast(t, caption);
  const get = (name: string) => result.figures.find((f) => f.name === name)!.value;
  assert.ok(get('exact match') > get('baseline exact match'));
  assert.ok(get('BLEU-4') > get('baseline BLEU-4'));
  assert.deepEqual(loaded.inputShapes![0], [null, 32, 32, 3]);
});
