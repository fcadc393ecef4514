import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as st from '../src/index.js';
import * as io from '../src/io/index.js';
import { rng } from './helpers.js';

// Seeded mutations of valid model files: every load must either succeed, and the model then run on a
// valid input, or be refused with a ModelFileError (a deliberate check), quickly and without large
// allocations (weights are capped at 8 MB here). Any other exception is a loader bug and fails.
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/models/', import.meta.url));
const LIMITS: io.LoadOptions = { maxWeightBytes: 8 * 2 ** 20 };

type Corpus = { json: Record<string, unknown>; bin: Uint8Array }[];

async function corpus(): Promise<Corpus> {
  const out: Corpus = [];
  for (const name of ['tfjs-cnn', 'tfjs-embedding-lstm', 'tfjs-gru-timedistributed', 'tfjs-two-input']) {
    out.push({ json: JSON.parse(readFileSync(join(FIXTURES, name, 'model.json'), 'utf8')), bin: new Uint8Array(readFileSync(join(FIXTURES, name, 'group1-shard1of1.bin'))) });
  }
  st.setSeed(1);
  const inner = st.sequential({ layers: [st.layers.dense({ units: 3, inputShape: [4] })] });
  const a = st.input({ shape: [4] }), b = st.input({ shape: [4] });
  const shared = st.layers.dense({ units: 4, activation: 'tanh' });
  const h = st.layers.add().apply([inner.apply(shared.apply(a) as st.SymbolicTensor) as st.SymbolicTensor,
    inner.apply(shared.apply(b) as st.SymbolicTensor) as st.SymbolicTensor]) as st.SymbolicTensor;
  const models: st.Model[] = [
    st.model({ inputs: [a, b], outputs: h }),
    st.sequential({ layers: [st.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, inputShape: [3, 3, 1] }), st.layers.flatten()] }),
  ];
  for (const m of models) {
    m.compile({ optimizer: 'adam', loss: 'mse' });
    await m.save(io.withSaveHandler(async (art) => {
      out.push({
        json: {
          format: 'layers-model', modelTopology: art.modelTopology, trainingConfig: art.trainingConfig,
          weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: art.weightSpecs }],
        },
        bin: new Uint8Array(art.weightData!),
      });
    }), { includeOptimizer: true });
  }
  return out;
}

const WEIRD: unknown[] = [null, true, false, 0, -1, 1.5, 1e12, -1e12, 2 ** 31, NaN, Infinity, -Infinity, '', 'x', '..', 'float64',
  [], [null], [-1], [1e12, 1e12], [NaN], {}, { class_name: 'Dense', config: {} }, '../../etc/passwd', 'https://evil.example/w.bin'];

/** Every container in the JSON tree with the key or index of each child. */
function slots(root: unknown): [Record<string, unknown> | unknown[], string | number][] {
  const out: [Record<string, unknown> | unknown[], string | number][] = [];
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) v.forEach((x, i) => { out.push([v, i]); stack.push(x); });
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.push([v as Record<string, unknown>, k]); stack.push(x); }
  }
  return out;
}

function mutateJson(json: unknown, r: () => number): unknown {
  const copy = structuredClone(json);
  const n = 1 + Math.floor(r() * 3);
  for (let k = 0; k < n; k++) {
    const all = slots(copy);
    if (!all.length) break;
    // Prefer the interesting places: shapes, paths, dtypes, sizes.
    const hot = all.filter(([, key]) => ['shape', 'paths', 'dtype', 'units', 'filters', 'kernel_size', 'batch_input_shape',
      'input_dim', 'output_dim', 'inbound_nodes', 'class_name', 'name', 'layers', 'strides'].includes(String(key)));
    const [parent, key] = r() < 0.6 && hot.length ? hot[Math.floor(r() * hot.length)] : all[Math.floor(r() * all.length)];
    const p = parent as Record<string | number, unknown>;
    const op = Math.floor(r() * 7);
    if (op === 0) {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete p[key];
    } else if (op === 1) {
      if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(parent[key as number]));
      else p[`${String(key)}_copy`] = structuredClone(p[key]);
    } else if (op === 2) p[key] = WEIRD[Math.floor(r() * WEIRD.length)];
    else if (op === 3) {
      let deep: unknown = p[key];
      const depth = r() < 0.5 ? 5 : 500;
      for (let i = 0; i < depth; i++) deep = [deep];
      p[key] = deep;
    } else if (op === 4 && typeof p[key] === 'number') p[key] = (p[key] as number) * (r() < 0.5 ? -1 : 1e6);
    else if (op === 5 && Array.isArray(p[key])) (p[key] as unknown[]).push(...(p[key] as unknown[]).slice(0, 2));
    else if (op === 6 && typeof p[key] === 'string') p[key] = `${p[key] as string}${r() < 0.5 ? '_1' : '/../x'}`;
    else p[key] = WEIRD[Math.floor(r() * WEIRD.length)];
  }
  return copy;
}

function mutateBytes(bin: Uint8Array, r: () => number): Uint8Array {
  const op = Math.floor(r() * 4);
  if (op === 0) return bin.subarray(0, Math.floor(r() * bin.byteLength));
  if (op === 1) {
    const out = new Uint8Array(bin.byteLength + 1 + Math.floor(r() * 64));
    out.set(bin);
    return out;
  }
  const out = bin.slice();
  const flips = op === 2 ? 1 + Math.floor(r() * 16) : out.byteLength;
  for (let i = 0; i < flips; i++) out[Math.floor(r() * out.byteLength)] = Math.floor(r() * 256);
  return out;
}

/**
 * A valid input for the model's declared input shapes (batch 2): zeros, which are also a valid index
 * for an embedding of any size. Null when the model does not declare its input shapes.
 */
function validInputs(model: st.Model): st.Tensor[] | null {
  const shapes = model.inputShapes;
  if (!shapes) return null;
  return shapes.map((s) => st.zeros((s as (number | null)[]).map((d) => (d === null ? 2 : d))));
}

/**
 * Loads; a refusal must be a ModelFileError (a deliberate check), and a model that loads must also
 * predict on a valid input. Anything else (TypeError, a StrataError other than a refusal, a crash
 * while predicting) fails the test with its stack.
 */
async function expectSafe(load: () => Promise<st.Model>, what: string, tally: Record<string, number>): Promise<void> {
  const t0 = performance.now();
  let model: st.Model | null = null;
  try {
    model = await load();
  } catch (e) {
    if (!(e instanceof io.ModelFileError)) {
      assert.fail(`${what}: the loader crashed instead of refusing: ${(e as Error)?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack}`);
    }
    // A wrapped crash: a loader that turns its own TypeError into a ModelFileError hides a bug.
    assert.doesNotMatch((e as Error).message, /\b(TypeError|RangeError|ReferenceError)\b|Cannot read prop|is not a function|is not iterable/,
      `${what}: a refusal that wraps a crash:\n${(e as Error).stack}`);
    tally.refused++;
    if (process.env.FUZZ_LOG) console.error(`#ERR ${(e as Error).message.slice(0, 160)}`);
  }
  const loadMs = performance.now() - t0;
  assert.ok(loadMs < 3000, `${what}: loading took ${loadMs.toFixed(0)} ms`);
  if (model) {
    tally.loaded++;
    try {
      const xs = validInputs(model);
      assert.ok(xs, `${what}: the model loaded without input shapes`);
      const ys = model.predict(xs.length === 1 ? xs[0] : xs);
      for (const y of Array.isArray(ys) ? ys : [ys]) {
        assert.ok(y instanceof st.Tensor && y.shape[0] === 2, `${what}: prediction shape ${y.shape}`);
        // One example's output within the cap the loader enforces (maxActivationBytes = maxWeightBytes here).
        assert.ok((y.size / 2) * 4 <= LIMITS.maxWeightBytes!, `${what}: one example's output has ${y.size / 2} elements, over the cap`);
      }
      tally.ran++;
    } catch (e) {
      assert.fail(`${what}: the model loaded but does not run on a valid input ${JSON.stringify(model.inputShapes)}: ` +
        `${(e as Error)?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack}`);
    }
  }
  const ms = performance.now() - t0;
  if (process.env.FUZZ_LOG && ms > 500) console.error(`#SLOW ${what}: load ${loadMs.toFixed(0)} ms, total ${ms.toFixed(0)} ms, inputs ${JSON.stringify(model?.inputShapes)}`);
  assert.ok(ms < 3000, `${what}: loading and running took ${ms.toFixed(0)} ms`);
}

test('mutated model.json objects and shards load and run, or are refused with a ModelFileError', async () => {
  const base = await corpus();
  const r = rng(20240601);
  const tally = { loaded: 0, refused: 0, ran: 0 };
  const t0 = performance.now();
  for (let i = 0; i < 2500; i++) {
    const { json, bin } = base[i % base.length];
    const mutateShard = r() < 0.25;
    const j = mutateShard && r() < 0.7 ? json : mutateJson(json, r);
    const b = mutateShard ? mutateBytes(bin, r) : bin;
    const asMap = r() < 0.5;
    await expectSafe(() => io.loadLayersModel(io.fromMemory(j, asMap ? { 'group1-shard1of1.bin': b } : b, LIMITS), LIMITS), `case ${i}`, tally);
  }
  assert.ok(tally.refused > 1000 && tally.loaded > 50, `expected both outcomes, got ${JSON.stringify(tally)}`);
  assert.equal(tally.ran, tally.loaded, 'every model that loaded ran');
  assert.ok(performance.now() - t0 < 20000);
});

test('mutated model.json text and shard files on disk load and run, or are refused with a ModelFileError', async () => {
  const base = await corpus();
  const r = rng(7);
  const dir = mkdtempSync(join(tmpdir(), 'strata-fuzz-'));
  const tally = { loaded: 0, refused: 0, ran: 0 };
  try {
    for (let i = 0; i < 500; i++) {
      const { json, bin } = base[i % base.length];
      let text = JSON.stringify(mutateJson(json, r));
      const op = Math.floor(r() * 4);
      if (op === 0) text = text.slice(0, Math.floor(r() * text.length));
      else if (op === 1) {
        const chars = text.split('');
        for (let k = 0; k < 1 + r() * 8; k++) chars[Math.floor(r() * chars.length)] = String.fromCharCode(32 + Math.floor(r() * 95));
        text = chars.join('');
      } else if (op === 2) text = `${'['.repeat(5000)}${text}${']'.repeat(5000)}`;
      writeFileSync(join(dir, 'model.json'), text);
      writeFileSync(join(dir, 'group1-shard1of1.bin'), r() < 0.3 ? mutateBytes(bin, r) : bin);
      await expectSafe(() => io.loadLayersModel(dir, LIMITS), `file case ${i}`, tally);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(tally.refused > 100 && tally.loaded > 10, JSON.stringify(tally));
  assert.equal(tally.ran, tally.loaded, 'every model that loaded ran');
});
