// st.loadOnnxModel on hostile or broken files: each is refused with a ModelFileError that says what is
// wrong (before large allocations), and a seeded fuzz over mutated valid files yields only models or
// ModelFileErrors — never another exception, a crash or a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as st from '../src/index.js';
import { ModelProto } from '../src/io/onnx/schema.js';
import { rng } from './helpers.js';

function fixturesDir(): string {
  const fromBuild = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'onnx-torch');
  return existsSync(fromBuild) ? fromBuild : join(process.cwd(), 'test', 'fixtures', 'onnx-torch');
}
const fixtureBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(join(fixturesDir(), `${name}.onnx`)));

type Msg = Record<string, any>;
/** The MLP fixture as a mutable protobufjs message (Gemm → Relu → Gemm, initializers net.*). */
const mlp = (): Msg => ModelProto.decode(fixtureBytes('mlp')) as unknown as Msg;
const encode = (m: Msg): Uint8Array => ModelProto.encode(m as never).finish();

async function refused(source: Uint8Array | string, pattern: RegExp, opts?: st.OnnxLoadOptions): Promise<void> {
  await assert.rejects(st.loadOnnxModel(source, opts), (e: Error) => {
    assert.ok(e instanceof st.ModelFileError, `expected a ModelFileError, got ${e.name}: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test('truncated files, empty files and other formats are refused', async () => {
  const bytes = fixtureBytes('mlp');
  await refused(bytes.subarray(0, bytes.length >> 1), /not a valid ONNX model|truncated/);
  await refused(new Uint8Array(0), /empty/);
  await refused(new TextEncoder().encode('{"modelTopology": {}}'), /not a valid ONNX model|no graph/);
  await refused('/nonexistent/model.onnx', /cannot read/);
  await refused('http://127.0.0.1:1/model.onnx', /could not fetch http:\/\/127.0.0.1:1\/model.onnx/);
});

test('absurd dims and huge initializers are refused before anything is allocated', async () => {
  let m = mlp();
  m.graph.initializer[0].dims = [2 ** 40];
  await refused(encode(m), /initializer 'net.0.weight'.*not an integer in \[0, 2147483647\]/);
  m = mlp();
  m.graph.initializer[0].dims = [65536, 65536, 65536]; // 2^50 floats, the raw data unchanged
  await refused(encode(m), /initializer 'net.0.weight'.*needs more than \d+ bytes.*maxWeightBytes/);
  // A file within the format but over the caller's budget.
  await refused(fixtureBytes('mlp'), /needs more than 1000 bytes.*maxWeightBytes/, { maxWeightBytes: 1000 });
  m = mlp();
  m.graph.input[0].type.tensorType.shape.dim[1].dimValue = 2 ** 31 - 1;
  m.graph.input[0].type.tensorType.shape.dim.push({ dimValue: 2 ** 31 - 1 });
  await refused(encode(m), /graph input 'input'.*needs more than/);
});

test('raw_data whose length disagrees with the dims is refused', async () => {
  const m = mlp();
  m.graph.initializer[1].rawData = m.graph.initializer[1].rawData.subarray(0, 12);
  await refused(encode(m), /initializer 'net.0.bias': dims \[64\] need 64 values \(256 bytes\) but the tensor holds 12 bytes of raw_data/);
});

test('external data, sparse initializers and unsupported data types are refused by name', async () => {
  let m = mlp();
  m.graph.initializer[0].rawData = new Uint8Array(0);
  m.graph.initializer[0].dataLocation = 1;
  m.graph.initializer[0].externalData = [{ key: 'location', value: 'weights.bin' }];
  await refused(encode(m), /initializer 'net.0.weight' keeps its data in an external file/);
  m = mlp();
  m.graph.initializer[0].dataType = 10; // float16
  await refused(encode(m), /initializer 'net.0.weight' has data type float16/);
});

test('dangling node inputs and outputs are refused, naming the node', async () => {
  let m = mlp();
  m.graph.node[1].input = ['no_such_tensor'];
  await refused(encode(m), /node '.*Relu.*' \(Relu\): input 0 'no_such_tensor' is not produced by any earlier node/);
  m = mlp();
  m.graph.node.reverse(); // not in topological order: the first node reads what the last one makes
  await refused(encode(m), /dangling reference/);
  m = mlp();
  m.graph.node[1].opType = 'Concat';
  m.graph.node[1].input = [];
  await refused(encode(m), /\(Concat\): has no inputs/);
  m = mlp();
  m.graph.output[0].name = 'missing';
  await refused(encode(m), /graph output 'missing' is not produced by any node/);
});

test('ops outside the supported set, and other opsets, are refused by name', async () => {
  let m = mlp();
  m.graph.node[1].opType = 'Einsum';
  await refused(encode(m), /node '.*' \(Einsum\): op 'Einsum' is not supported; Strata reads .*Conv.*LSTM/);
  m = mlp();
  m.graph.node[1].domain = 'com.microsoft';
  await refused(encode(m), /op 'com.microsoft.Relu' is not supported/);
  m = mlp();
  m.opsetImport[0].version = 9;
  await refused(encode(m), /opset 9; Strata reads opsets 13–17/);
  m = mlp();
  m.graph.node[0].attribute.push({ name: 'transA', type: 2, i: 1 });
  await refused(encode(m), /\(Gemm\): has transA = 1/);
});

/** Structural damage: attribute values, dims, rewired or dropped inputs, swapped op types. */
function mutateGraph(src: Uint8Array, r: () => number): Uint8Array {
  const pick = (n: number): number => Math.floor(r() * n);
  const vals = [0, 1, -1, 2, 3, -2, 7, 100, 2 ** 31, -(2 ** 31)];
  const m = ModelProto.decode(src) as unknown as Msg, g = m.graph;
  for (let j = 0, n = 1 + pick(3); j < n; j++) {
    const node = g.node[pick(g.node.length)];
    switch (pick(6)) {
      case 0: if (node.attribute.length) { const a = node.attribute[pick(node.attribute.length)]; if (a.ints?.length) a.ints[pick(a.ints.length)] = vals[pick(vals.length)]; else a.i = vals[pick(vals.length)]; } break;
      case 1: { const t = g.initializer[pick(g.initializer.length)]; if (t.dims.length) t.dims[pick(t.dims.length)] = vals[pick(vals.length)]; break; }
      case 2: if (node.input.length) node.input[pick(node.input.length)] = g.node[pick(g.node.length)].output[0] ?? ''; break;
      case 3: { const d = g.input[0].type.tensorType.shape.dim; d[pick(d.length)].dimValue = vals[pick(vals.length)]; break; }
      case 4: node.opType = g.node[pick(g.node.length)].opType; break;
      default: node.input.pop();
    }
  }
  return encode(m);
}


function mutate(src: Uint8Array, r: () => number): Uint8Array {
  const pick = (n: number): number => Math.floor(r() * n);
  const b = src.slice();
  switch (pick(5)) {
    case 0: return b.subarray(0, pick(b.length)); // truncate
    case 1: for (let i = 0, n = 1 + pick(8); i < n; i++) b[pick(b.length)] = pick(256); return b; // overwrite bytes
    case 2: { const at = pick(b.length); return Uint8Array.from([...b.subarray(0, at), ...Array.from({ length: 1 + pick(16) }, () => pick(256)), ...b.subarray(at)]); }
    case 3: { const at = pick(b.length); b.fill(0xff, at, at + 1 + pick(10)); return b; } // huge varints
    default: { const at = pick(b.length), len = pick(64); return Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + len)]); } // cut a piece out
  }
}

test('fuzz: mutated files give a model or a ModelFileError, nothing else, and quickly', { timeout: 120_000 }, async () => {
  const sources = ['lstm', 'upsampler', 'ops'].map(fixtureBytes);
  const r = rng(16);
  const outcomes = { model: 0, refused: 0 };
  for (let i = 0; i < 400; i++) {
    const src = sources[i % sources.length];
    const bytes = i % 2 ? mutateGraph(src, r) : mutate(src, r);
    const t0 = performance.now();
    try {
      await st.loadOnnxModel(bytes);
      outcomes.model++;
    } catch (e) {
      if (!(e instanceof st.ModelFileError)) assert.fail(`case ${i}: ${(e as Error).name}: ${(e as Error).message}\n${(e as Error).stack}`);
      outcomes.refused++;
    }
    assert.ok(performance.now() - t0 < 5000, `case ${i} took ${performance.now() - t0} ms`);
  }
  assert.ok(outcomes.refused > 100 && outcomes.model > 10, JSON.stringify(outcomes));
});
