// st.io.exportOnnx: each supported layer family is exported with random weights, run by ONNX Runtime
// (onnxruntime-node, CPU) on the same inputs, and compared with model.predict. Where Debian's
// python3-onnx is installed, onnx.checker (with shape inference) also checks every exported file.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import * as st from '../src/index.js';
import { ModelProto } from '../src/io/onnx/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'strata-onnx-'));
const written: string[] = [];
after(() => rmSync(dir, { recursive: true, force: true }));

/** Gives every weight random values (variances positive), so biases and statistics matter. */
function randomize(model: st.Model, seed: number): void {
  let s = seed;
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    if (!ws.length) continue;
    layer.setWeights(ws.map((w, i) => {
      const r = st.randomNormal(w.shape, 0, 0.5, 'float32', s++);
      return layer.weights[i].name.includes('variance') ? st.add(st.abs(r), 0.5) : r;
    }));
  }
}

async function runOnnx(bytes: Uint8Array, xs: st.Tensor[]): Promise<{ names: readonly string[]; outs: ort.Tensor[] }> {
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ort.Tensor> = {};
  session.inputNames.forEach((n, i) => {
    const x = xs[i];
    feeds[n] = x.dtype === 'int32' ? new ort.Tensor('int32', x.dataSync() as Int32Array, x.shape) : new ort.Tensor('float32', x.dataSync() as Float32Array, x.shape);
  });
  const res = await session.run(feeds);
  return { names: session.outputNames, outs: session.outputNames.map((n) => res[n]) };
}

function assertClose(got: ort.Tensor, want: st.Tensor, what: string): void {
  assert.deepEqual([...got.dims], want.shape, `${what}: shape`);
  const g = got.data as Float32Array, w = want.dataSync();
  for (let i = 0; i < w.length; i++) {
    if (!(Math.abs(g[i] - w[i]) <= 1e-4 + 1e-3 * Math.abs(w[i]))) assert.fail(`${what}: element ${i}: ONNX Runtime ${g[i]}, Strata ${w[i]}`);
  }
}

/** Exports, runs ONNX Runtime and compares every output with predict; returns the bytes. */
async function check(name: string, model: st.Model, xs: st.Tensor | st.Tensor[], seed = 1): Promise<Uint8Array> {
  randomize(model, seed);
  const list = Array.isArray(xs) ? xs : [xs];
  const bytes = st.io.exportOnnx(model);
  const file = join(dir, `${name}.onnx`);
  writeFileSync(file, bytes);
  written.push(file);
  const want = model.predict(list.length === 1 ? list[0] : list);
  const wants = Array.isArray(want) ? want : [want];
  const { outs } = await runOnnx(bytes, list);
  assert.equal(outs.length, wants.length, `${name}: number of outputs`);
  outs.forEach((o, i) => assertClose(o, wants[i], `${name} output ${i}`));
  return bytes;
}

const seq = (layers: Parameters<typeof st.sequential>[0] extends infer O ? O extends { layers?: infer T } ? NonNullable<T> : never : never): st.Sequential => st.sequential({ layers });
const rnd = (shape: number[], seed: number): st.Tensor => st.randomNormal(shape, 0, 1, 'float32', seed);
const L = st.layers;

test('Dense with each activation runs in ONNX Runtime as in Strata', async () => {
  for (const activation of ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'softplus', 'softsign', 'leakyRelu',
    'relu6', 'hardSigmoid', 'swish', 'gelu', 'mish', 'exponential', 'logSoftmax']) {
    await check(`dense_${activation}`, seq([L.dense({ units: 5, inputShape: [4], activation }), L.dense({ units: 3 })]), rnd([6, 4], 2));
  }
});

test('Dense on rank-3 input, Activation, ReLU/LeakyReLU/ELU/Softmax layers, Dropout, Flatten, Reshape', async () => {
  await check('dense3d', seq([L.dense({ units: 3, inputShape: [5, 4] }), L.activation({ activation: 'tanh' }), L.dropout({ rate: 0.5 }),
    L.flatten(), L.reshape({ targetShape: [5, -1] }), L.reLU({ maxValue: 0.4 }), L.leakyReLU({ alpha: 0.1 }), L.elu({ alpha: 0.7 }),
    L.softmax()]), rnd([2, 5, 4], 3));
});

test('Conv1D and Conv2D: strides, dilation, same/valid/causal padding', async () => {
  await check('conv2d', seq([L.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', inputShape: [9, 8, 3] }),
    L.conv2d({ filters: 5, kernelSize: [2, 3], dilationRate: [2, 1], padding: 'valid' }),
    L.conv2d({ filters: 2, kernelSize: 2, padding: 'same', useBias: false })]), rnd([2, 9, 8, 3], 4));
  await check('conv1d', seq([L.conv1d({ filters: 4, kernelSize: 3, padding: 'causal', dilationRate: 2, inputShape: [10, 3] }),
    L.conv1d({ filters: 3, kernelSize: 4, strides: 3, padding: 'same', activation: 'tanh' })]), rnd([2, 10, 3], 5));
});

test('pooling 1D/2D (max, average, same/valid) and global pooling', async () => {
  await check('pool2d', seq([L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', inputShape: [7, 8, 2] }),
    L.averagePooling2d({ poolSize: 2, padding: 'same' }), L.conv2d({ filters: 3, kernelSize: 1 }), L.globalAveragePooling2d()]), rnd([2, 7, 8, 2], 6));
  await check('pool1d', seq([L.averagePooling1d({ poolSize: 2, inputShape: [9, 3] }), L.maxPooling1d({ poolSize: 2, strides: 1, padding: 'same' }),
    L.globalMaxPooling1d()]), rnd([3, 9, 3], 7));
  await check('gmax2d', seq([L.globalMaxPooling2d({ inputShape: [4, 5, 3] })]), rnd([2, 4, 5, 3], 8));
  await check('gavg1d', seq([L.globalAveragePooling1d({ inputShape: [4, 3] })]), rnd([2, 4, 3], 9));
});

test('BatchNormalization (inference form, moving statistics) after dense and conv', async () => {
  await check('batchnorm', seq([L.conv2d({ filters: 3, kernelSize: 2, inputShape: [5, 5, 2] }), L.batchNormalization(), L.flatten(),
    L.dense({ units: 4 }), L.batchNormalization({ center: false, epsilon: 0.01 })]), rnd([2, 5, 5, 2], 10));
});

test('Conv2DTranspose and Conv1DTranspose, same/valid, strides above and below the kernel size', async () => {
  await check('convT2d', seq([L.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', inputShape: [4, 5, 2] }),
    L.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 3, padding: 'valid', activation: 'sigmoid' }),
    L.conv2dTranspose({ filters: 2, kernelSize: 4, strides: 2, padding: 'same' })]), rnd([2, 4, 5, 2], 11));
  await check('convT1d', seq([L.conv1dTranspose({ filters: 3, kernelSize: 3, strides: 1, padding: 'valid', inputShape: [6, 2] }),
    L.conv1dTranspose({ filters: 2, kernelSize: 1, strides: 2, padding: 'same' })]), rnd([2, 6, 2], 12));
});

test('Embedding (Gather) on float and int32 index inputs', async () => {
  const ids = st.tensor([[0, 3, 9, 2], [5, 5, 1, 0]], [2, 4]);
  await check('embedding', seq([L.embedding({ inputDim: 10, outputDim: 3, inputShape: [4] }), L.flatten(), L.dense({ units: 2 })]), ids);
  const inp = st.input({ shape: [4], dtype: 'int32' });
  const model = st.model({ inputs: inp, outputs: L.embedding({ inputDim: 10, outputDim: 3 }).apply(inp) as st.SymbolicTensor });
  await check('embedding_int', model, st.tensor([[0, 3, 9, 2], [5, 5, 1, 0]], [2, 4], 'int32'));
});

test('functional model: two inputs, Concatenate/Add/Multiply/Subtract/Average/Maximum, two outputs', async () => {
  const a = st.input({ shape: [4] }), b = st.input({ shape: [3] });
  const ha = L.dense({ units: 3, activation: 'tanh' }).apply(a) as st.SymbolicTensor;
  const sum = L.add().apply([ha, b]) as st.SymbolicTensor;
  const prod = L.multiply().apply([ha, b, sum]) as st.SymbolicTensor;
  const diff = L.subtract().apply([prod, b]) as st.SymbolicTensor;
  const avg = L.average().apply([diff, sum]) as st.SymbolicTensor;
  const mx = L.maximum().apply([avg, ha]) as st.SymbolicTensor;
  const cat = L.concatenate().apply([mx, a, prod]) as st.SymbolicTensor;
  const out1 = L.dense({ units: 2, activation: 'softmax' }).apply(cat) as st.SymbolicTensor;
  const model = st.model({ inputs: [a, b], outputs: [out1, mx] });
  await check('functional', model, [rnd([3, 4], 13), rnd([3, 3], 14)]);
});

test('LSTM, GRU (resetAfter true and false), SimpleRNN: sequences, last output, states, goBackwards', async () => {
  const x = rnd([2, 5, 3], 15);
  await check('lstm', seq([L.lstm({ units: 4, returnSequences: true, inputShape: [5, 3] }), L.lstm({ units: 3 })]), x);
  await check('lstm_hard', seq([L.lstm({ units: 3, recurrentActivation: 'hardSigmoid', activation: 'relu', goBackwards: true, inputShape: [5, 3] })]), x);
  await check('gru_after', seq([L.gru({ units: 4, returnSequences: true, inputShape: [5, 3] }), L.gru({ units: 2, goBackwards: true })]), x);
  await check('gru_before', seq([L.gru({ units: 4, resetAfter: false, returnSequences: true, goBackwards: true, inputShape: [5, 3] })]), x);
  await check('simple_rnn', seq([L.simpleRNN({ units: 4, returnSequences: true, inputShape: [5, 3] }), L.simpleRNN({ units: 2, activation: 'relu' })]), x);
  const inp = st.input({ shape: [5, 3] });
  const outs = L.lstm({ units: 3, returnState: true }).apply(inp) as st.SymbolicTensor[];
  await check('lstm_state', st.model({ inputs: inp, outputs: outs }), x);
});

test('Bidirectional LSTM/GRU/SimpleRNN: concat, sum, ave, mul, no merge, with states', async () => {
  const x = rnd([2, 6, 3], 16);
  await check('bi_concat', seq([L.bidirectional({ layer: L.lstm({ units: 3, returnSequences: true }), inputShape: [6, 3] }),
    L.bidirectional({ layer: L.gru({ units: 2 }), mergeMode: 'sum' })]), x);
  await check('bi_ave', seq([L.bidirectional({ layer: L.simpleRNN({ units: 3, returnSequences: true, goBackwards: true }), mergeMode: 'ave', inputShape: [6, 3] }),
    L.bidirectional({ layer: L.gru({ units: 2, resetAfter: false, returnSequences: true }), mergeMode: 'mul' })]), x);
  const inp = st.input({ shape: [6, 3] });
  const outs = L.bidirectional({ layer: L.lstm({ units: 2, returnState: true, returnSequences: true }), mergeMode: null }).apply(inp) as st.SymbolicTensor[];
  assert.equal(outs.length, 6);
  await check('bi_states', st.model({ inputs: inp, outputs: outs }), x);
});

test('Permute, RepeatVector, ZeroPadding, Cropping, UpSampling (nearest), PReLU', async () => {
  await check('pad_crop2d', seq([L.zeroPadding2d({ padding: [[1, 2], [0, 3]], inputShape: [4, 5, 2] }), L.cropping2d({ cropping: [[2, 0], [1, 1]] }),
    L.upSampling2d({ size: [2, 3] }), L.prelu({ sharedAxes: [1, 2] }), L.permute({ dims: [3, 1, 2] })]), rnd([2, 4, 5, 2], 17));
  await check('pad_crop1d', seq([L.zeroPadding1d({ padding: [2, 1], inputShape: [5, 3] }), L.cropping1d({ cropping: [1, 2] }), L.upSampling1d({ size: 2 }),
    L.prelu(), L.flatten(), L.repeatVector({ n: 3 })]), rnd([2, 5, 3], 18));
});

test('DepthwiseConv2D, SeparableConv2D and LayerNormalization', async () => {
  await check('depthwise', seq([L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', inputShape: [7, 6, 3] }),
    L.separableConv2d({ filters: 4, kernelSize: 2, depthMultiplier: 2, dilationRate: 2, activation: 'relu' }),
    L.separableConv2d({ filters: 2, kernelSize: 3, padding: 'same', useBias: false }), L.layerNormalization()]), rnd([2, 7, 6, 3], 19));
  await check('layernorm', seq([L.dense({ units: 4, inputShape: [3, 5] }), L.layerNormalization({ axis: [1, 2], epsilon: 0.1 }),
    L.layerNormalization({ center: false })]), rnd([2, 3, 5], 20));
});

test('TimeDistributed(Dense) and TimeDistributed(Conv2D), time length unknown', async () => {
  await check('td_dense', seq([L.timeDistributed({ layer: L.dense({ units: 3, activation: 'tanh' }), inputShape: [4, 5] }), L.lstm({ units: 2 })]), rnd([2, 4, 5], 22));
  const inp = st.input({ shape: [null, 5, 4, 2] });
  const y = L.timeDistributed({ layer: L.conv2d({ filters: 3, kernelSize: 2 }) }).apply(inp) as st.SymbolicTensor;
  await check('td_conv', st.model({ inputs: inp, outputs: y }), rnd([2, 3, 5, 4, 2], 23));
});

test('nested models are inlined: a Sequential used twice inside a functional model', async () => {
  const inner = seq([L.dense({ units: 3, inputShape: [4], activation: 'relu' }), L.dense({ units: 4 })]);
  const a = st.input({ shape: [4] });
  const h = inner.apply(inner.apply(a) as st.SymbolicTensor) as st.SymbolicTensor;
  const out = L.dense({ units: 2 }).apply(L.add().apply([h, a]) as st.SymbolicTensor) as st.SymbolicTensor;
  await check('nested', st.model({ inputs: a, outputs: out }), rnd([3, 4], 24));
});

test('3-D layers: Conv3D, pooling, Conv3DTranspose, ZeroPadding/Cropping/UpSampling 3D, global pooling', async () => {
  await check('conv3d', seq([L.conv3d({ filters: 3, kernelSize: 2, strides: [1, 2, 1], padding: 'same', inputShape: [4, 5, 3, 2] }),
    L.maxPooling3d({ poolSize: 2, strides: 1, padding: 'same' }), L.averagePooling3d({ poolSize: [2, 1, 2] }),
    L.conv3dTranspose({ filters: 2, kernelSize: 2, strides: 2, padding: 'same' }), L.zeroPadding3d({ padding: 1 }),
    L.cropping3d({ cropping: [[1, 0], [0, 1], [1, 1]] }), L.upSampling3d({ size: [1, 2, 1] })]), rnd([2, 4, 5, 3, 2], 25));
  await check('gpool3d', seq([L.globalMaxPooling3d({ inputShape: [3, 4, 2, 3] })]), rnd([2, 3, 4, 2, 3], 26));
  await check('gavg3d', seq([L.globalAveragePooling3d({ inputShape: [3, 4, 2, 3], keepdims: true })]), rnd([2, 3, 4, 2, 3], 27));
});

test('channelsFirst layers (as PyTorch lays data out) export without transposes around their ops and match Strata', async () => {
  const cf = { dataFormat: 'channelsFirst' } as const;
  const cf2 = await check('cf_conv2d', seq([L.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', inputShape: [2, 7, 6], ...cf }),
    L.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2, padding: 'same', ...cf }), L.separableConv2d({ filters: 2, kernelSize: 2, ...cf }),
    L.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same', ...cf }), L.averagePooling2d({ poolSize: [2, 1], ...cf }),
    L.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', ...cf }), L.zeroPadding2d({ padding: [[1, 0], [2, 1]], ...cf }),
    L.cropping2d({ cropping: [[0, 1], [1, 2]], ...cf }), L.upSampling2d({ size: [1, 2], ...cf }), L.flatten(cf), L.dense({ units: 2 })]), rnd([2, 2, 7, 6], 40));
  // Only the convolution's own input transpose would be there channels-last; Flatten's channels-first permute is the one Transpose left.
  const ops = (ModelProto.toObject(ModelProto.decode(cf2)) as { graph: { node: { opType: string }[] } }).graph.node.map((n) => n.opType);
  assert.equal(ops.filter((o) => o === 'Transpose').length, 1, `one Transpose node (Flatten's) in the channels-first graph: ${ops.join(', ')}`);
  await check('cf_1d', seq([L.conv1d({ filters: 3, kernelSize: 3, padding: 'causal', dilationRate: 2, inputShape: [2, 9], ...cf }),
    L.maxPooling1d({ poolSize: 2, ...cf }), L.conv1dTranspose({ filters: 2, kernelSize: 3, strides: 2, ...cf }), L.globalAveragePooling1d(cf)]), rnd([2, 2, 9], 41));
  await check('cf_3d', seq([L.conv3d({ filters: 2, kernelSize: 2, padding: 'same', inputShape: [3, 4, 5, 3], ...cf }),
    L.averagePooling3d({ poolSize: [1, 2, 2], ...cf }), L.conv3dTranspose({ filters: 2, kernelSize: 2, strides: [1, 2, 1], ...cf }),
    L.zeroPadding3d({ padding: 1, ...cf }), L.cropping3d({ cropping: [[1, 0], [0, 1], [1, 1]], ...cf }), L.upSampling3d({ size: [1, 1, 2], ...cf }),
    L.globalMaxPooling3d({ keepdims: true, ...cf })]), rnd([2, 3, 4, 5, 3], 42));
});

test('shorthands in a functional model (conv pooling, dense/conv dropout) export as the layers they stand for', async () => {
  const inp = st.input({ shape: [8, 7, 2] });
  const c = L.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', pooling: { type: 'max', poolSize: 2, padding: 'same' }, dropout: 0.3 }).apply(inp);
  const c2 = L.conv2d({ filters: 2, kernelSize: 2, pooling: { type: 'avg', poolSize: [2, 1] } }).apply(c as st.SymbolicTensor);
  const out = L.dense({ units: 2, dropout: 0.5 }).apply(L.flatten().apply(c2 as st.SymbolicTensor) as st.SymbolicTensor) as st.SymbolicTensor;
  await check('shorthands', st.model({ inputs: inp, outputs: out }), rnd([2, 8, 7, 2], 28));
});

test('the exported ModelProto declares opset 13, IR 7, the model\'s input and output names with a batch dimension', async () => {
  const model = seq([L.dense({ units: 2, inputShape: [3], name: 'out_layer' })]);
  const session = await ort.InferenceSession.create(st.io.exportOnnx(model));
  assert.deepEqual(session.inputNames, [model.inputNames[0]]);
  assert.deepEqual(session.outputNames, ['out_layer']);
  const bytes = st.io.exportOnnx(model);
  // ir_version (field 1, varint) = 7 comes first; the opset_import entry holds version (field 2) = 13.
  assert.deepEqual([...bytes.subarray(0, 2)], [0x08, 7]);
  const res = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', new Float32Array(15), [5, 3]) });
  assert.deepEqual([...res.out_layer.dims], [5, 2]);
});

test('model.save(\'x.onnx\') writes the exported bytes (atomically, no temporary left), also from a file:// URL string', async () => {
  const model = seq([L.dense({ units: 3, inputShape: [2], activation: 'relu' })]);
  randomize(model, 21);
  const file = join(dir, 'saved.onnx');
  const res = await model.save(file) as st.io.SaveResult;
  assert.equal(res.location, file);
  const bytes = new Uint8Array(readFileSync(file));
  assert.deepEqual(bytes, st.io.exportOnnx(model));
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), []);
  const { outs } = await runOnnx(bytes, [st.tensor([[1, -2], [0.5, 3]])]);
  assertClose(outs[0], model.predict(st.tensor([[1, -2], [0.5, 3]])) as st.Tensor, 'saved.onnx');
  await model.save(`file://${join(dir, 'url.onnx')}`);
  assert.deepEqual(new Uint8Array(readFileSync(join(dir, 'url.onnx'))), bytes);
  written.push(file);
});

test('layers without an ONNX form are refused with a ModelFileError naming the layer', () => {
  const m = seq([L.dense({ units: 2, inputShape: [3] }), L.gaussianNoise({ stddev: 0.1 }), L.masking({ name: 'mask_1' })]);
  assert.throws(() => st.io.exportOnnx(m), (e: Error) => e instanceof st.io.ModelFileError &&
    /Masking 'mask_1'/.test(e.message) && /cannot be exported to ONNX yet/.test(e.message) && /Dense/.test(e.message));
  const custom = seq([L.dense({ units: 2, inputShape: [3], activation: (x: st.Tensor) => st.mul(x, 2) })]);
  assert.throws(() => st.io.exportOnnx(custom), /exportOnnx: Dense '.*' uses activation .*cannot be exported to ONNX yet/);
  const rnn = seq([L.lstm({ units: 2, activation: 'gelu', inputShape: [4, 3] })]);
  assert.throws(() => st.io.exportOnnx(rnn), /LSTM '.*' uses activation 'gelu' inside the recurrence/);
  assert.throws(() => st.io.exportOnnx(seq([L.dense({ units: 2 })])), /not built yet/);
  const masked = seq([L.embedding({ inputDim: 5, outputDim: 2, maskZero: true, inputShape: [3] }), L.lstm({ units: 2 })]);
  assert.throws(() => st.io.exportOnnx(masked), (e: Error) => e instanceof st.io.ModelFileError && /Embedding '.*' has maskZero/.test(e.message));
});

test('onnx.checker accepts every exported file (where python3-onnx is installed)', (t) => {
  const py = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0);
  if (!py) {
    t.skip('python3-onnx is not installed; onnx.checker not run');
    return;
  }
  assert.ok(written.length > 10);
  const script = 'import onnx, sys\nfor f in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(f), full_check=True)\nprint("ok", len(sys.argv) - 1)';
  const r = spawnSync(py, ['-c', script, ...written], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`ok ${written.length}`));
});
