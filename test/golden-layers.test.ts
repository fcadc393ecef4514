// Golden values for layers from TensorFlow.js 4.22 (scripts/make-golden-layers.mjs →
// test/fixtures/golden-layers/*.json): each case's layer is loaded from its model.json entry with
// st.layers.deserialize, given the fixture's weights, and must reproduce the forward output and the
// gradients of Σ output·dy w.r.t. every float input and every trainable weight, on every backend.
// The fixture format is described at the top of the generator and in each file's "$comment".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as st from '../src/index.js';
import { backends, expectClose, expectExecuted, forEachBackend } from './helpers.js';

interface Stored {
  shape: number[];
  dtype?: 'float32' | 'int32';
  values: number[];
}

interface LayerCase {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  training?: boolean;
  note?: string;
  inputs: Stored[];
  mask?: Stored;
  weights: (Stored & { name: string; trainable: boolean })[];
  outputs: Stored[];
  dy?: Stored[];
  grads?: { inputs: (Stored | null)[]; weights: Stored[] };
}

/** The issue's acceptance tolerance, atol + rtol·|reference|, for outputs and gradients alike. */
const TOL = { atol: 1e-4, rtol: 1e-3 };

/** The compiled test runs from build/test/; the fixtures stay in the source tree. */
function fixturesDir(): string {
  const fromBuild = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'golden-layers');
  return existsSync(fromBuild) ? fromBuild : join(process.cwd(), 'test', 'fixtures', 'golden-layers');
}

function toTensor(s: Stored): st.Tensor {
  const values = s.dtype === 'int32' ? Int32Array.from(s.values) : Float32Array.from(s.values);
  return st.tensor(values, s.shape);
}

const asList = (r: st.Tensor | st.Tensor[]): st.Tensor[] => (Array.isArray(r) ? r : [r]);

function check(c: LayerCase, backend: string): void {
  const layer = st.layers.deserialize({ class_name: c.class_name, config: c.config });
  const ins = c.inputs.map(toTensor);
  const shapes = c.inputs.map((x) => [null, ...x.shape.slice(1)]);
  layer.build(shapes.length === 1 ? shapes[0] : shapes);
  layer.built = true;
  const got = layer.weights.map((w) => `${w.name} ${JSON.stringify(w.shape)}`);
  assert.equal(layer.weights.length, c.weights.length,
    `[${backend}] ${c.class_name} has ${layer.weights.length} weights (${got.join(', ')}), TF.js has ${c.weights.length} ` +
    `(${c.weights.map((w) => `${w.name} ${JSON.stringify(w.shape)}`).join(', ')})`);
  layer.setWeights(c.weights.map(toTensor));
  assert.deepEqual(layer.weights.map((w) => w.trainable && layer.trainable), c.weights.map((w) => w.trainable),
    `[${backend}] trainable flags of the weights differ from TF.js's`);

  const opts: st.layers.CallOptions = { training: c.training ?? false };
  if (c.mask) opts.mask = toTensor({ ...c.mask, dtype: 'int32' });
  const run = (): st.Tensor[] => asList(layer.apply(ins.length === 1 ? ins[0] : ins, opts));
  const ys = run();
  assert.equal(ys.length, c.outputs.length, `[${backend}] the layer returned ${ys.length} tensors, TF.js ${c.outputs.length}`);
  ys.forEach((y, i) => {
    const what = `[${backend}] output ${i}`;
    assert.deepEqual(y.shape, c.outputs[i].shape, `${what}: shape ${JSON.stringify(y.shape)} differs from ${JSON.stringify(c.outputs[i].shape)}`);
    expectClose(y, c.outputs[i].values, TOL.atol, TOL.rtol, what);
  });

  if (!c.grads || !c.dy) return;
  const floatIdx = c.grads.inputs.flatMap((g, i) => (g ? [i] : []));
  const trainable = layer.trainableWeights;
  assert.equal(trainable.length, c.grads.weights.length,
    `[${backend}] ${trainable.length} trainable weights, TF.js has ${c.grads.weights.length}`);
  const wrt: st.Tensor[] = [...floatIdx.map((i) => ins[i]), ...trainable];
  const dys = c.dy.map(toTensor);
  // Σ_i sum(y_i · dy_i) back-propagates every dy_i at once.
  const f = (): st.Tensor => run().map((y, i) => st.sum(st.mul(y, dys[i]))).reduce((s, t) => st.add(s, t));
  const { grads } = st.valueAndGrads(f, wrt);
  const refs = [...floatIdx.map((i) => ({ ref: c.grads!.inputs[i]!, what: `gradient of input ${i}` })),
    ...c.grads.weights.map((ref, k) => ({ ref, what: `gradient of weight '${c.weights.filter((w) => w.trainable)[k]?.name}'` }))];
  refs.forEach(({ ref, what }, k) => {
    const label = `[${backend}] ${what}`;
    assert.deepEqual(grads[k].shape, ref.shape, `${label}: shape ${JSON.stringify(grads[k].shape)} differs from ${JSON.stringify(ref.shape)}`);
    expectClose(grads[k], ref.values, TOL.atol, TOL.rtol, label);
  });
}

/** The stored tensor repeated `r` times along its first (batch) axis. */
function tileBatch(t: Stored, r: number): Stored {
  const values: number[] = [];
  for (let i = 0; i < r; i++) values.push(...t.values);
  return { ...t, shape: [t.shape[0] * r, ...t.shape.slice(1)], values };
}

/** Elements that lift every input above the native kernels' size thresholds (the largest is 4096 multiply-adds). */
const NATIVE_SIZE = 4096;

/**
 * The case on a batch repeated r times: the same TF.js values, since every example is computed on
 * its own (batch statistics of BatchNormalization are unchanged by repeating the batch). Outputs and
 * input gradients repeat; weight gradients sum over the batch, so they are r times TF.js's.
 */
function tiledCase(c: LayerCase): { c: LayerCase; r: number } {
  const largest = Math.max(...c.inputs.map((x) => x.values.length / Math.max(1, x.shape[0])));
  const r = Math.min(256, Math.max(2, Math.ceil(NATIVE_SIZE / (largest * c.inputs[0].shape[0]))));
  const scale = (t: Stored): Stored => ({ ...t, values: t.values.map((v) => v * r) });
  return {
    r,
    c: {
      ...c,
      inputs: c.inputs.map((x) => tileBatch(x, r)),
      mask: c.mask && tileBatch(c.mask, r),
      outputs: c.outputs.map((y) => tileBatch(y, r)),
      dy: c.dy?.map((d) => tileBatch(d, r)),
      grads: c.grads && { inputs: c.grads.inputs.map((g) => g && tileBatch(g, r)), weights: c.grads.weights.map(scale) },
    },
  };
}

const dir = fixturesDir();
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
test('layer golden fixtures are present', () => {
  assert.ok(files.length > 0, `no fixtures in ${dir}: run node scripts/make-golden-layers.mjs`);
});
for (const file of files) {
  const { cases } = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { cases: LayerCase[] };
  const group = file.replace(/\.json$/, '');
  for (const c of cases) {
    // The fixtures are small, so on the native backend most kernels hand them to js ('fallback' where
    // that is so); the repeated-batch variant below runs the same TF.js values through native code.
    test(`golden layers ${group}: ${c.name}${c.grads ? '' : ' (forward only)'}`, () => forEachBackend((backend) => check(c, backend), 'either'));
    test(`golden layers ${group}: ${c.name}, batch repeated above the native thresholds, on native`, (t) => {
      if (!backends().includes('native')) return t.skip('native backend not built');
      const { c: big, r } = tiledCase(c);
      const before = st.getBackend();
      st.setBackend('native');
      try {
        expectExecuted('native', 'native', () => check(big, `native, batch ×${r}`));
      } finally {
        st.setBackend(before);
      }
    });
  }
}
