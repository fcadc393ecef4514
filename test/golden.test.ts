// Golden values from TensorFlow.js 4.22 (scripts/make-golden.mjs → test/fixtures/golden/*.json):
// every case's forward values, and its vector-Jacobian products for the stored dy, on every backend.
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
  dtype?: 'float32' | 'int32' | 'bool';
  values: number[];
}

interface GoldenCase {
  name: string;
  op: string;
  args: Record<string, any>;
  source: 'tfjs' | 'tfjs-composed' | 'formula';
  note?: string;
  inputs: Stored[];
  output?: Stored;
  outputs?: Stored[];
  dy?: Stored | Stored[];
  grads?: (Stored | null)[];
}

/** Forward tolerances (float32 against float32) and gradient tolerances, as atol + rtol·|ref|. */
const FORWARD = { atol: 1e-5, rtol: 1e-4 };
const GRADIENT = { atol: 1e-4, rtol: 1e-3 };

/** The compiled test runs from build/test/; the fixtures stay in the source tree. */
function fixturesDir(): string {
  const fromBuild = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'golden');
  return existsSync(fromBuild) ? fromBuild : join(process.cwd(), 'test', 'fixtures', 'golden');
}

// Ops are looked up by name at run time, so a case whose op does not exist yet fails alone
// instead of breaking compilation of the whole file.
type AnyFn = (...args: any[]) => any;
const api = st as unknown as Record<string, unknown>;
function op(name: string): AnyFn {
  const f = api[name];
  if (typeof f !== 'function') throw new Error(`st.${name} is not implemented (yet)`);
  return f as AnyFn;
}

/** Drops undefined fields, so an options object only carries what the case sets. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

type Args = GoldenCase['args'];
type Call = (ins: st.Tensor[], a: Args) => st.Tensor | st.Tensor[];

const unary = (name: string): Call => ([x]) => op(name)(x);
const binary = (name: string): Call => ([a, b]) => op(name)(a, b);
const reduction = (name: string): Call => ([x], a) => op(name)(x, a.axis, a.keepDims);
const convOptions = (a: Args) => defined({ strides: a.strides ?? a.stride, padding: a.pad, dilations: a.dilations ?? a.dilation });
const conv = (name: string, format: string): Call => ([x, w], a) => (a.form === 'options'
  ? op(name)(x, w, convOptions(a))
  : op(name)(x, w, a.strides ?? a.stride, a.pad, format, a.dilations ?? a.dilation));
const convTranspose = (name: string): Call => ([x, w], a) => (a.form === 'options'
  ? op(name)(x, w, defined({ strides: a.strides, padding: a.pad }))
  : op(name)(x, w, a.outputShape, a.strides, a.pad));
const pool = (name: string): Call => ([x], a) => (a.form === 'options'
  ? op(name)(x, defined({ poolSize: a.filterSize, strides: a.strides, padding: a.pad }))
  : op(name)(x, a.filterSize, a.strides, a.pad));

/** Each fixture `op` → the Strata call, with the signatures of the public API. */
const table: Record<string, Call> = {
  ...Object.fromEntries(['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'squaredDifference',
    'equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual'].map((n) => [n, binary(n)])),
  ...Object.fromEntries(['neg', 'exp', 'log', 'log1p', 'sqrt', 'rsqrt', 'square', 'abs', 'sign', 'reciprocal',
    'floor', 'round', 'ceil', 'relu', 'relu6', 'selu', 'sigmoid', 'tanh', 'softplus', 'softsign', 'swish', 'silu',
    'mish'].map((n) => [n, unary(n)])),
  ...Object.fromEntries(['sum', 'mean', 'max', 'min', 'prod', 'logSumExp'].map((n) => [n, reduction(n)])),
  clipByValue: ([x], a) => op('clipByValue')(x, a.min, a.max),
  elu: ([x], a) => op('elu')(x, a.alpha),
  leakyRelu: ([x], a) => op('leakyRelu')(x, a.alpha),
  prelu: ([x, alpha]) => op('prelu')(x, alpha),
  gelu: ([x], a) => op('gelu')(x, a.approximate),
  hardSigmoid: ([x], a) => op('hardSigmoid')(x, a.form),
  softmax: ([x], a) => op('softmax')(x, a.dim),
  logSoftmax: ([x], a) => op('logSoftmax')(x, a.axis),
  argMax: ([x], a) => op('argMax')(x, a.axis),
  argMin: ([x], a) => op('argMin')(x, a.axis),
  moments: ([x], a) => {
    const m = op('moments')(x, a.axes, a.keepDims) as { mean: st.Tensor; variance: st.Tensor };
    return [m.mean, m.variance];
  },
  matmul: ([x, y], a) => op('matmul')(x, y, a.transposeA, a.transposeB),
  reshape: ([x], a) => op('reshape')(x, a.shape),
  expandDims: ([x], a) => op('expandDims')(x, a.axis),
  squeeze: ([x], a) => op('squeeze')(x, a.axis),
  transpose: ([x], a) => op('transpose')(x, a.perm),
  concat: (xs, a) => op('concat')(xs, a.axis),
  stack: (xs, a) => op('stack')(xs, a.axis),
  unstack: ([x], a) => op('unstack')(x, a.axis),
  split: ([x], a) => op('split')(x, a.numOrSizeSplits, a.axis),
  slice: ([x], a) => op('slice')(x, a.begin, a.size),
  reverse: ([x], a) => op('reverse')(x, a.axis),
  tile: ([x], a) => op('tile')(x, a.reps),
  pad: ([x], a) => op('pad')(x, a.paddings, a.constantValue),
  gather: ([x, i], a) => op('gather')(x, i, a.axis),
  oneHot: ([i], a) => op('oneHot')(i, a.depth, a.onValue, a.offValue),
  where: ([c, x, y]) => op('where')(c, x, y),
  cast: ([x], a) => op('cast')(x, a.dtype),
  conv1d: conv('conv1d', 'NWC'),
  conv2d: conv('conv2d', 'NHWC'),
  conv3d: conv('conv3d', 'NDHWC'),
  depthwiseConv2d: conv('depthwiseConv2d', 'NHWC'),
  conv1dTranspose: convTranspose('conv1dTranspose'),
  conv2dTranspose: convTranspose('conv2dTranspose'),
  conv3dTranspose: convTranspose('conv3dTranspose'),
  ...Object.fromEntries(['maxPool', 'avgPool', 'maxPool1d', 'avgPool1d', 'maxPool3d', 'avgPool3d'].map((n) => [n, pool(n)])),
};

/** Strata has no bool dtype (comparisons and conditions are int32 0/1). */
function toTensor(s: Stored): st.Tensor {
  const values = s.dtype === 'float32' || s.dtype === undefined ? Float32Array.from(s.values) : Int32Array.from(s.values);
  return st.tensor(values, s.shape);
}

/** The dtype Strata must give for a reference dtype (oneHot: Strata gives float32 where tfjs gives int32). */
function expectedDType(c: GoldenCase, ref: Stored): string | null {
  if (c.op === 'oneHot') return null;
  return ref.dtype === 'bool' ? 'int32' : ref.dtype ?? 'float32';
}

function asList(r: st.Tensor | st.Tensor[]): st.Tensor[] {
  return Array.isArray(r) ? r : [r];
}

function check(c: GoldenCase, backend: string): void {
  const call = table[c.op];
  assert.ok(call, `no Strata call mapped for op '${c.op}'`);
  const ins = c.inputs.map(toTensor);
  const refs = c.outputs ?? [c.output!];
  const ys = asList(call(ins, c.args));
  assert.equal(ys.length, refs.length, `[${backend}] ${c.op} returned ${ys.length} tensors, expected ${refs.length}`);
  ys.forEach((y, i) => {
    const ref = refs[i];
    const what = `[${backend}] output ${i}`;
    assert.ok(y instanceof st.Tensor, `${what} is not a Tensor`);
    assert.deepEqual(y.shape, ref.shape, `${what}: shape ${JSON.stringify(y.shape)} differs from ${JSON.stringify(ref.shape)}`);
    const dtype = expectedDType(c, ref);
    if (dtype) assert.equal(y.dtype, dtype, `${what}: dtype ${y.dtype}, expected ${dtype}`);
    const exact = ref.dtype === 'int32' || ref.dtype === 'bool';
    expectClose(y, ref.values, exact ? 0 : FORWARD.atol, exact ? 0 : FORWARD.rtol, what);
  });

  if (!c.grads || !c.dy) return;
  const wrtIdx = c.grads.flatMap((g, i) => (g ? [i] : []));
  if (wrtIdx.length === 0) return;
  const wrt = wrtIdx.map((i) => ins[i]);
  let grads: st.Tensor[];
  if (Array.isArray(c.dy)) {
    // Several outputs: Σ_i sum(y_i · dy_i) back-propagates every dy_i at once.
    const dys = c.dy.map(toTensor);
    const f = () => asList(call(ins, c.args)).map((y, i) => st.sum(st.mul(y, dys[i]))).reduce((s, t) => st.add(s, t));
    grads = st.valueAndGrads(f, wrt).grads;
  } else {
    grads = st.valueAndGrads(() => asList(call(ins, c.args))[0], wrt, toTensor(c.dy)).grads;
  }
  wrtIdx.forEach((inputIndex, k) => {
    const ref = c.grads![inputIndex]!;
    const what = `[${backend}] gradient of input ${inputIndex}`;
    assert.deepEqual(grads[k].shape, ref.shape, `${what}: shape ${JSON.stringify(grads[k].shape)} differs from ${JSON.stringify(ref.shape)}`);
    expectClose(grads[k], ref.values, GRADIENT.atol, GRADIENT.rtol, what);
  });
}

// ---- the same TF.js values above the native size thresholds ----
// The fixtures are small, so the native backend hands most of them to js. A lifted case repeats
// them R times along a new leading axis (or along the batch axis of a conv/pool input), which every
// op below computes copy by copy: outputs, dy and input gradients repeat; a conv filter, shared by
// the whole batch, gets R times TF.js's gradient. No value comes from Strata.

const ELEMENTWISE = new Set(['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'squaredDifference', 'equal', 'notEqual',
  'greater', 'greaterEqual', 'less', 'lessEqual', 'neg', 'exp', 'log', 'log1p', 'sqrt', 'rsqrt', 'square', 'abs', 'sign',
  'reciprocal', 'floor', 'round', 'ceil', 'relu', 'relu6', 'selu', 'sigmoid', 'tanh', 'softplus', 'softsign', 'swish', 'silu',
  'mish', 'clipByValue', 'elu', 'leakyRelu', 'prelu', 'gelu', 'hardSigmoid', 'where', 'matmul']);
const AXIS_OPS = new Set(['sum', 'mean', 'max', 'min', 'prod', 'logSumExp', 'argMax', 'argMin', 'moments', 'softmax', 'logSoftmax', 'gather']);
/** Rank of a conv/pool input with its batch axis. */
const BATCHED_RANK: Record<string, number> = {
  conv1d: 3, conv2d: 4, conv3d: 5, depthwiseConv2d: 4, conv1dTranspose: 3, conv2dTranspose: 4, conv3dTranspose: 5,
  maxPool: 4, avgPool: 4, maxPool1d: 3, avgPool1d: 3, maxPool3d: 5, avgPool3d: 5,
};
const NATIVE_SIZE = 4096;

function repeat(t: Stored, r: number, shape: number[]): Stored {
  const values: number[] = [];
  for (let i = 0; i < r; i++) values.push(...t.values);
  return { ...t, shape, values };
}

/** The case lifted above the native thresholds, or null for ops that only move data (no native kernel). */
function liftedCase(c: GoldenCase): { c: GoldenCase; r: number } | null {
  const largest = Math.max(...c.inputs.map((x) => x.values.length));
  const r = Math.min(512, Math.max(2, Math.ceil(NATIVE_SIZE / largest)));
  const refs = c.outputs ?? [c.output!];
  const lead = (t: Stored, rank = t.shape.length): Stored => repeat(t, r, [r, ...Array(rank - t.shape.length).fill(1), ...t.shape]);
  const shift = (a: unknown): unknown => (typeof a === 'number' && a >= 0 ? a + 1 : Array.isArray(a) ? a.map(shift) : a);
  let inputs: Stored[], outputs: Stored[], dy: Stored | Stored[] | undefined, grads: (Stored | null)[] | undefined;
  let args = c.args;
  const dyList = c.dy === undefined ? undefined : Array.isArray(c.dy) ? c.dy : [c.dy];
  if (ELEMENTWISE.has(c.op) || AXIS_OPS.has(c.op)) {
    if (c.op === 'matmul' && c.inputs.some((x) => x.shape.length < 2)) return null;
    // Elementwise ops and matmul broadcast: align every input to one rank first, so the new axis lines up.
    const rank = AXIS_OPS.has(c.op) ? undefined : Math.max(...c.inputs.map((x) => x.shape.length));
    inputs = c.inputs.map((x, i) => (c.op === 'gather' && i === 1 ? x : lead(x, rank)));
    outputs = refs.map((y) => lead(y));
    dy = dyList?.map((d) => lead(d));
    grads = c.grads?.map((g, i) => g && lead(g, rank ?? g.shape.length));
    if (AXIS_OPS.has(c.op)) {
      const all = Array.from({ length: c.inputs[0].shape.length }, (_, k) => k + 1);
      const axisKey = c.op === 'moments' ? 'axes' : c.op === 'softmax' ? 'dim' : 'axis';
      const given = c.args[axisKey];
      const fallback = ['argMax', 'argMin', 'gather'].includes(c.op) ? 1 : ['softmax', 'logSoftmax'].includes(c.op) ? -1 : all;
      args = { ...c.args, [axisKey]: given === undefined || given === null ? fallback : shift(given) };
    }
  } else if (BATCHED_RANK[c.op]) {
    const batched = c.inputs[0].shape.length === BATCHED_RANK[c.op];
    // Batched: repeat along the batch axis; unbatched: a new batch axis of r.
    const first = (t: Stored): Stored => (batched ? repeat(t, r, [t.shape[0] * r, ...t.shape.slice(1)]) : lead(t));
    const scaled = (t: Stored): Stored => ({ ...t, values: t.values.map((v) => v * r) });
    inputs = c.inputs.map((x, i) => (i === 0 ? first(x) : x));
    outputs = refs.map(first);
    dy = dyList?.map(first);
    grads = c.grads?.map((g, i) => g && (i === 0 ? first(g) : scaled(g)));
    if (Array.isArray(c.args.outputShape)) {
      const o = c.args.outputShape as number[];
      args = { ...c.args, outputShape: batched ? [o[0] * r, ...o.slice(1)] : [r, ...o] };
    }
  } else {
    return null;
  }
  const out: GoldenCase = { ...c, args, inputs, grads };
  if (c.outputs) out.outputs = outputs;
  else out.output = outputs[0];
  if (dy) out.dy = Array.isArray(c.dy) ? dy : (dy as Stored[])[0];
  return { c: out, r };
}

const dir = fixturesDir();
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
test('golden fixtures are present', () => {
  assert.ok(files.length > 0, `no fixtures in ${dir}: run npm run golden`);
});
for (const file of files) {
  const { cases } = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { cases: GoldenCase[] };
  const group = file.replace(/\.json$/, '');
  for (const c of cases) {
    // Small fixtures: the sizes pick the path on native; the lifted variant below runs native code.
    test(`golden ${group}: ${c.name}`, () => forEachBackend((backend) => check(c, backend), 'either'));
    const lifted = liftedCase(c);
    if (!lifted) continue;
    test(`golden ${group}: ${c.name}, repeated ×${lifted.r} above the native thresholds, on native`, (t) => {
      if (!backends().includes('native')) return t.skip('native backend not built');
      const before = st.getBackend();
      st.setBackend('native');
      try {
        // The native kernels are float32: int32 arithmetic stays in js, and so does `where` (a select, no
        // native kernel) unless it broadcasts, when its gradients are reduced natively.
        const outShape = JSON.stringify((c.output ?? c.outputs![0]).shape);
        const js = c.inputs.every((x) => x.dtype === 'int32') || (c.op === 'where' && c.inputs.every((x) => JSON.stringify(x.shape) === outShape));
        expectExecuted('native', js ? 'fallback' : 'native', () => check(lifted.c, `native, ×${lifted.r}`));
      } finally {
        st.setBackend(before);
      }
    });
  }
}
