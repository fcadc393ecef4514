import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as st from '../src/index.js';
import { expectClose, expectError, expectExecuted, forEachBackend, rand } from './helpers.js';
import { expectConfigRoundTrip, expectLayerGradientsClose } from './layer-helpers.js';

const ids = (values: number[][]): st.Tensor => st.tensor(values, undefined, 'int32');
const TABLE = [[0, 0.5], [1, -1], [2, 3], [-4, 0.25]];

test('embedding looks rows up in its [inputDim, outputDim] table, any input rank', () => forEachBackend(() => {
  const layer = st.layers.embedding({ inputDim: 4, outputDim: 2 });
  layer.build([null, 3]);
  assert.deepEqual(layer.weights.map((w) => w.name), [`${layer.name}/embeddings`]);
  assert.deepEqual(layer.getWeights()[0].shape, [4, 2]);
  layer.setWeights([st.tensor(TABLE)]);
  const y = layer.apply(ids([[1, 0, 3], [2, 2, 1]])) as st.Tensor;
  assert.deepEqual(y.shape, [2, 3, 2]);
  expectClose(y, [1, -1, 0, 0.5, -4, 0.25, 2, 3, 2, 3, 1, -1]);
  assert.deepEqual(layer.computeOutputShape([null, 3]), [null, 3, 2]);
  // Rank 1 and rank 3 ids; floats holding whole numbers are cast, as Keras does.
  expectClose(layer.apply(st.tensor([3, 1], undefined, 'int32')) as st.Tensor, [-4, 0.25, 1, -1]);
  const y3 = layer.apply(st.tensor([[[2], [0]]])) as st.Tensor;
  assert.deepEqual(y3.shape, [1, 2, 1, 2]);
  expectClose(y3, [2, 3, 0, 0.5]);
  assert.equal(layer.countParams(), 8);
}, 'fallback'));

test('embedding defaults to RandomUniform ±0.05 (Keras 3 "uniform") and is seedable', () => {
  const layer = st.layers.embedding({ inputDim: 50, outputDim: 8 });
  layer.build([null, 1]);
  const w = Array.from(layer.getWeights()[0].values);
  assert.ok(w.every((v) => v >= -0.05 && v <= 0.05) && w.some((v) => v !== 0));
  assert.equal(st.layers.serialize(layer).config.embeddings_initializer && (st.layers.serialize(layer).config.embeddings_initializer as st.layers.KerasObject).class_name, 'RandomUniform');
  const seeded = () => {
    const l = st.layers.embedding({ inputDim: 5, outputDim: 3, embeddingsInitializer: st.initializers.randomNormal({ seed: 4 }) });
    l.build([null, 1]);
    return l.getWeights()[0];
  };
  expectClose(seeded(), seeded());
});

test('embedding gradient scatter-adds into the looked-up rows (repeated ids accumulate)', () => {
  const layer = st.layers.embedding({ inputDim: 5, outputDim: 3, dtype: 'float64', embeddingsInitializer: st.initializers.randomNormal({ seed: 1 }) });
  const x = ids([[1, 4, 1], [0, 1, 2]]);
  expectLayerGradientsClose(layer, x);
  const { grads } = st.valueAndGrads(() => layer.apply(x) as st.Tensor, [layer.embeddings!]);
  // Row r receives one 1 per occurrence of id r; id 3 never occurs.
  expectClose(grads[0], [1, 1, 1, 3, 3, 3, 1, 1, 1, 0, 0, 0, 1, 1, 1]);
});

test('embedding maskZero: computeMask is ids ≠ 0; without it, no mask', () => forEachBackend(() => {
  const masked = st.layers.embedding({ inputDim: 4, outputDim: 2, maskZero: true });
  const x = ids([[3, 1, 0, 0], [2, 0, 1, 0]]);
  masked.apply(x);
  const mask = masked.computeMask(x, null)!;
  assert.deepEqual(mask.shape, [2, 4]);
  assert.deepEqual(Array.from(mask.values), [1, 1, 0, 0, 1, 0, 1, 0]);
  assert.equal(masked.supportsMasking, true);
  const plain = st.layers.embedding({ inputDim: 4, outputDim: 2 });
  assert.equal(plain.computeMask(x, null), null);
}, 'fallback'));

test('embedding regularizer and constraint act on the table', () => {
  const layer = st.layers.embedding({ inputDim: 2, outputDim: 2, embeddingsInitializer: st.initializers.constant({ value: -2 }),
    embeddingsRegularizer: st.regularizers.l2({ l2: 0.1 }), embeddingsConstraint: 'nonNeg' });
  layer.apply(ids([[0, 1]]));
  expectClose(layer.regularizationLosses().map((t) => t.item()), [0.1 * 16]);
  layer.applyConstraints();
  expectClose(layer.getWeights()[0], [0, 0, 0, 0]);
});

test('embedding inputLength fixes the input shape, as TF.js and Keras 2 configs have it', () => {
  const layer = st.layers.embedding({ inputDim: 6, outputDim: 3, inputLength: 4 });
  assert.deepEqual(layer.batchInputShape, [null, 4]);
  assert.deepEqual(layer.computeOutputShape([null, 4]), [null, 4, 3]);
  assert.deepEqual((layer.apply(ids([[1, 2, 3, 4]])) as st.Tensor).shape, [1, 4, 3]);
  expectError(() => layer.computeOutputShape([null, 5]), st.ShapeError, 'inputLength is 4 but the input shape is [null, 5]');
});

test('embedding config round-trips and loads TF.js and Keras 3 snake_case configs', () => {
  const layer = st.layers.embedding({ inputDim: 7, outputDim: 3, maskZero: true, embeddingsInitializer: st.initializers.randomUniform({ minval: -1, maxval: 1, seed: 3 }),
    embeddingsRegularizer: st.regularizers.l1({ l1: 0.01 }), embeddingsConstraint: st.constraints.maxNorm({ maxValue: 2 }), inputLength: 5 });
  const again = expectConfigRoundTrip(layer) as st.layers.Embedding;
  assert.equal(again.maskZero, true);
  assert.equal(again.inputLength, 5);
  const tfjs = st.layers.deserialize({ class_name: 'Embedding', config: {
    input_dim: 100, output_dim: 16, embeddings_initializer: { class_name: 'RandomUniform', config: { minval: -0.05, maxval: 0.05, seed: null } },
    embeddings_regularizer: null, activity_regularizer: null, embeddings_constraint: null, mask_zero: true, input_length: 10,
    name: 'embedding_Embedding1', trainable: true, batch_input_shape: [null, 10], dtype: 'float32' } }) as st.layers.Embedding;
  assert.equal(tfjs.name, 'embedding_Embedding1');
  assert.equal(tfjs.inputDim, 100);
  assert.equal(tfjs.outputDim, 16);
  assert.equal(tfjs.maskZero, true);
  assert.deepEqual(tfjs.batchInputShape, [null, 10]);
  // Keras 3 writes the initializer with module/registered_name keys, the dtype as a policy, no input_length.
  const keras3 = st.layers.deserialize({ class_name: 'Embedding', config: {
    name: 'embedding', trainable: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null },
    input_dim: 20, output_dim: 4, embeddings_initializer: { module: 'keras.initializers', class_name: 'RandomUniform',
      config: { seed: null, minval: -0.05, maxval: 0.05 }, registered_name: null },
    embeddings_regularizer: null, activity_regularizer: null, embeddings_constraint: null, mask_zero: false, lora_rank: null } }) as st.layers.Embedding;
  assert.equal(keras3.inputLength, null);
  assert.deepEqual((keras3.apply(ids([[19, 0]])) as st.Tensor).shape, [1, 2, 4]);
  const uniform = st.layers.deserialize({ class_name: 'Embedding', config: { input_dim: 3, output_dim: 2, embeddings_initializer: 'uniform' } });
  assert.equal((uniform as st.layers.Embedding).embeddingsInitializer.className, 'RandomUniform');
});

test('embedding errors name the layer, the bad index and inputDim', () => {
  expectError(() => st.layers.embedding({ inputDim: 0, outputDim: 2 }), st.ConfigError, 'inputDim must be a positive integer, got 0');
  expectError(() => st.layers.embedding({ inputDim: 3, outputDim: 1.5 }), st.ConfigError, 'outputDim must be a positive integer, got 1.5');
  expectError(() => st.layers.embedding({ inputDim: 3, outputDim: 2, inputLength: -1 }), st.ConfigError, 'inputLength must be a positive integer');
  const layer = st.layers.embedding({ inputDim: 10, outputDim: 2, name: 'emb_x' });
  expectError(() => layer.apply(ids([[1, 2], [10, 0]])), st.ShapeError, "Embedding 'emb_x'", 'input[1, 0] = 10 is out of range for inputDim 10', '[0, 9]');
  expectError(() => layer.apply(ids([[-1]])), st.ShapeError, 'input[0, 0] = -1 is out of range');
  expectError(() => layer.apply(st.tensor([[1, 2.5]])), st.DTypeError, "Embedding 'emb_x'", 'input[0, 1] = 2.5 is not an integer index');
});

type TF = typeof import('@tensorflow/tfjs');
async function tfjs(): Promise<TF> {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  return tf;
}
const scratch = mkdtempSync(join(tmpdir(), 'strata-embedding-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Deterministic ids in [0, n) with zeros and repeats, of the given shape. */
function someIds(shape: number[], n: number, seed: number): number[] {
  const size = shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: size }, (_, i) => (i * 7 + seed * 3 + (i % 5 === 0 ? 0 : i >> 2)) % n);
}

test('embedding over rank 1, 3 and 4 ids matches TF.js 4.22 (values, shapes, maskZero masks)', async () => {
  const tf = await tfjs();
  const [inputDim, outputDim] = [7, 6];
  const table = Array.from({ length: inputDim * outputDim }, (_, i) => Math.sin(0.9 * i + 0.3));
  // Rank 4 is large enough (48 ids × 6) that the native backend runs its own gather kernel.
  for (const shape of [[5], [2, 3, 4], [2, 3, 2, 4]]) {
    const v = someIds(shape, inputDim, shape.length);
    const ref = tf.layers.embedding({ inputDim, outputDim, maskZero: true });
    const tx = tf.tensor(v, shape, 'int32');
    const want = ref.apply(tx) as import('@tensorflow/tfjs').Tensor;
    ref.setWeights([tf.tensor(table, [inputDim, outputDim])]);
    const wantY = ref.apply(tx) as import('@tensorflow/tfjs').Tensor;
    const wantMask = ref.computeMask(tx) as import('@tensorflow/tfjs').Tensor;
    assert.deepEqual(want.shape, [...shape, outputDim]);
    forEachBackend((backend) => {
      const layer = st.layers.embedding({ inputDim, outputDim, maskZero: true });
      layer.build([null, ...shape.slice(1)]);
      layer.setWeights([st.tensor(table, [inputDim, outputDim])]);
      const x = st.tensor(v, shape, 'int32');
      const y = expectExecuted(backend, shape.length === 4 ? 'native' : 'either', () => layer.apply(x) as st.Tensor, `rank ${shape.length}`);
      assert.deepEqual(y.shape, wantY.shape, `rank ${shape.length} output shape`);
      expectClose(y, Array.from(wantY.dataSync()), 1e-6);
      assert.deepEqual(layer.computeOutputShape([null, ...shape.slice(1)]), [null, ...shape.slice(1), outputDim]);
      const mask = layer.computeMask(x, null)!;
      assert.deepEqual(mask.shape, wantMask.shape, `rank ${shape.length} mask shape`);
      assert.deepEqual(Array.from(mask.values, Number), Array.from(wantMask.dataSync(), Number), `rank ${shape.length} mask`);
    }, 'either');
  }
});

test('embedding gradient on rank-3 ids: finite differences in float64, and native = js scatter-add', () => {
  const layer = st.layers.embedding({ inputDim: 6, outputDim: 3, dtype: 'float64', embeddingsInitializer: st.initializers.randomNormal({ seed: 2 }) });
  const shape = [2, 3, 4];
  const v = someIds(shape, 6, 1);
  const x = st.tensor(v, shape, 'int32');
  expectLayerGradientsClose(layer, x);
  // Weighted upstream gradient: row r of the table receives the sum of dy over the positions holding id r.
  const check = (inputDim: number, outputDim: number, idShape: number[], dtype: 'float32' | 'float64', backend: string, expect: 'native' | 'fallback') => {
    const l = st.layers.embedding({ inputDim, outputDim, dtype });
    const ids = someIds(idShape, inputDim, 4);
    const xi = st.tensor(ids, idShape, 'int32');
    const n = ids.length * outputDim;
    const dyv = Array.from({ length: n }, (_, i) => Math.cos(0.31 * i));
    const dy = st.tensor(dyv, [...idShape, outputDim], dtype);
    l.apply(xi);
    const { grads } = expectExecuted(backend, expect, () => st.valueAndGrads(() => st.sum(st.mul(l.apply(xi) as st.Tensor, dy)), [l.embeddings!]), `${idShape} gradient`);
    const want = new Array(inputDim * outputDim).fill(0);
    ids.forEach((id, j) => { for (let t = 0; t < outputDim; t++) want[id * outputDim + t] += dyv[j * outputDim + t]; });
    assert.deepEqual(grads[0].shape, [inputDim, outputDim]);
    expectClose(grads[0], want, 1e-4);
  };
  for (const backend of st.listBackends()) {
    const before = st.getBackend();
    st.setBackend(backend);
    try {
      check(6, 3, shape, 'float64', backend, 'fallback');
      check(9, 8, [4, 5, 6], 'float32', backend, 'native'); // 960 values: the native gather and segment sum
    } finally {
      st.setBackend(before);
    }
  }
});

test('an embedding of rank-3 ids trains in a model, saves and loads (Strata and TF.js)', async () => {
  st.setSeed(5);
  const model = st.sequential({ layers: [
    st.layers.embedding({ inputDim: 10, outputDim: 4, inputLength: [3, 5], name: 'emb3' }),
    st.layers.flatten(),
    st.layers.dense({ units: 1 }),
  ] });
  assert.deepEqual(model.layers[0].computeOutputShape([null, 3, 5]), [null, 3, 5, 4]);
  const inp = st.input({ shape: [3, 5] });
  const sym = st.layers.embedding({ inputDim: 10, outputDim: 4, maskZero: true }).apply(inp) as st.SymbolicTensor;
  assert.deepEqual(sym.shape, [null, 3, 5, 4]);
  const shape = [16, 3, 5];
  const v = someIds(shape, 10, 2);
  const x = st.tensor(v, shape, 'int32');
  // Target: the count of ids ≥ 5 in each sample, which the table can learn.
  const yv = Array.from({ length: 16 }, (_, b) => v.slice(b * 15, b * 15 + 15).filter((id) => id >= 5).length / 15);
  const y = st.tensor(yv, [16, 1]);
  model.compile({ optimizer: st.train.adam(0.05), loss: 'meanSquaredError' });
  const history = await model.fit(x, y, { epochs: 15, batchSize: 16, verbose: 0 });
  const loss = history.history.loss as number[];
  assert.ok(loss[loss.length - 1] < 0.5 * loss[0], `loss ${loss[0]} → ${loss[loss.length - 1]}`);

  const dir = join(scratch, 'emb3');
  await model.save(dir);
  const loaded = await st.loadLayersModel(dir);
  const emb = loaded.layers[0] as st.layers.Embedding;
  assert.deepEqual(emb.inputLength, [3, 5]);
  assert.deepEqual(emb.batchInputShape, [null, 3, 5]);
  const xs = st.tensor(v.slice(0, 45), [3, 3, 5], 'int32');
  const want = model.predict(xs) as st.Tensor;
  expectClose(loaded.predict(xs) as st.Tensor, want, 1e-6);
  // The same file loads in TF.js and predicts the same.
  const tf = await tfjs();
  const tm = await tf.loadLayersModel(tf.io.fromMemory(await memoryArtifacts(model)));
  expectClose(Array.from((tm.predict(tf.tensor(v.slice(0, 45), [3, 3, 5], 'int32')) as import('@tensorflow/tfjs').Tensor).dataSync()), want, 1e-5);
});

/** A Strata model's saved artifacts, in the form tf.io.fromMemory takes. */
async function memoryArtifacts(model: st.Model): Promise<{ modelTopology: object; weightSpecs: never; weightData: ArrayBuffer }> {
  let art: st.io.ModelArtifacts | null = null;
  await model.save(st.io.withSaveHandler(async (a) => {
    art = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } } as never;
  }));
  const a = art! as unknown as { modelTopology: object; weightSpecs: never; weightData: ArrayBuffer | Uint8Array };
  return { modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightData: a.weightData instanceof Uint8Array ? a.weightData.slice().buffer as ArrayBuffer : a.weightData };
}

test('embedding inputLength lists: one size per axis after the batch axis (null = any), checked with a clear error', () => {
  const layer = st.layers.embedding({ inputDim: 5, outputDim: 2, inputLength: [3, null] });
  assert.deepEqual(layer.batchInputShape, [null, 3, null]);
  assert.deepEqual(layer.computeOutputShape([null, 3, 7]), [null, 3, 7, 2]);
  assert.deepEqual((layer.apply(st.zeros([2, 3, 7], 'int32')) as st.Tensor).shape, [2, 3, 7, 2]);
  expectError(() => layer.computeOutputShape([null, 3]), st.ShapeError, 'inputLength is [3,null] but the input shape is [null, 3]', 'the 2 axes after the batch axis');
  expectError(() => layer.computeOutputShape([null, 4, 7]), st.ShapeError, 'inputLength is [3,null]');
  assert.deepEqual((expectConfigRoundTrip(layer) as st.layers.Embedding).inputLength, [3, null]);
  // An inputLength that disagrees with the given input shape is refused when the layer is made.
  expectError(() => st.layers.embedding({ inputDim: 5, outputDim: 2, inputLength: 4, inputShape: [3] }), st.ConfigError,
    'inputLength 4 disagrees with the input shape [null, 3]', 'axes after the batch axis (1 here)');
  expectError(() => st.layers.embedding({ inputDim: 5, outputDim: 2, inputLength: [2, 3], batchInputShape: [null, 2, 3, 4] }), st.ConfigError,
    'inputLength [2,3] disagrees with the input shape [null, 2, 3, 4]');
  expectError(() => st.layers.embedding({ inputDim: 5, outputDim: 2, inputLength: [3, 0] }), st.ConfigError, 'inputLength must be a positive integer (or a list of them), got [3,0]');
  expectError(() => st.layers.embedding({ inputDim: 5, outputDim: 2, inputLength: 2.5 }), st.ConfigError, 'got 2.5');
  // Eager calls are checked against the input shape that inputLength fixes.
  const late = st.layers.embedding({ inputDim: 5, outputDim: 2, inputLength: [2, 2] });
  expectError(() => late.apply(st.zeros([1, 2, 3], 'int32')), st.ShapeError, 'expected input shape [null, 2, 2], got [1, 2, 3]');
});

test('masking zeroes fully masked steps and masks them for later layers', () => forEachBackend(() => {
  const layer = st.layers.masking();
  // Step [0, 1] is all zeros (masked); step [1, 0] has one zero feature (kept).
  const x = st.tensor([[[1, 2], [0, 0], [3, -1]], [[0, 5], [-2, 1], [0, 0]]]);
  const y = layer.apply(x) as st.Tensor;
  expectClose(y, [1, 2, 0, 0, 3, -1, 0, 5, -2, 1, 0, 0]);
  const mask = layer.computeMask(x, null);
  assert.deepEqual(mask.shape, [2, 3]);
  assert.deepEqual(Array.from(mask.values), [1, 0, 1, 1, 1, 0]);
  assert.deepEqual(layer.computeOutputShape([null, 3, 2]), [null, 3, 2]);

  const minusOne = st.layers.masking({ maskValue: -1 });
  const x2 = st.tensor([[[-1, -1], [-1, 4]]]);
  expectClose(minusOne.apply(x2) as st.Tensor, [0, 0, -1, 4]);
  assert.deepEqual(Array.from(minusOne.computeMask(x2, null).values), [0, 1]);
}, 'fallback'));

test('masking gradient: 1 for kept steps, 0 for masked ones', () => {
  const layer = st.layers.masking({ dtype: 'float64' });
  const padding = st.zeros([2, 1, 3], 'float64');
  // The kept steps vary; the masked step is a constant outside, since nudging a masked value unmasks it.
  const kept = st.add(rand([2, 2, 3], 5), 0.1);
  st.testing.checkGradients((k) => layer.apply(st.concat([k, padding], 1)) as st.Tensor, [kept]);
  const x = st.concat([kept, padding], 1);
  const { grads } = st.valueAndGrads(() => layer.apply(x) as st.Tensor, [x]);
  expectClose(grads[0], [1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
  expectLayerGradientsClose(st.layers.masking({ maskValue: 100, dtype: 'float64' }), rand([2, 3, 2], 6));
});

test('masking config round-trips and loads a snake_case config', () => {
  const again = expectConfigRoundTrip(st.layers.masking({ maskValue: -3, inputShape: [5, 2] })) as st.layers.Masking;
  assert.equal(again.maskValue, -3);
  const loaded = st.layers.deserialize({ class_name: 'Masking', config: { name: 'masking_1', trainable: true, dtype: 'float32', mask_value: 0.5, batch_input_shape: [null, 4, 3] } }) as st.layers.Masking;
  assert.equal(loaded.maskValue, 0.5);
  assert.equal(loaded.name, 'masking_1');
  assert.equal((st.layers.deserialize({ class_name: 'Masking', config: { mask_value: null } }) as st.layers.Masking).maskValue, 0);
});

test('masking errors', () => {
  expectError(() => st.layers.masking({ maskValue: 'x' as never }), st.ConfigError, 'maskValue must be a number, got "x"');
  expectError(() => st.layers.masking({ name: 'mask_x' }).apply(st.tensor([1, 2])), st.ShapeError, "Masking 'mask_x'", 'expected input of rank ≥ 2', 'got [null]');
});
