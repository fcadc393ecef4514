/**
 * Benchmark of the native conv kernels: W6 (conv2d 1×64×64×32 → 64 filters 3×3 'same') in GFLOPS
 * on 1 and 2 threads; the three conv kernels at the W3 (MNIST CNN, batch 64) and W4 (conv →
 * conv2dTranspose stride 2 → conv, batch 32) shapes, native against the js kernels; and the W3
 * training step in samples/s with native convs and with the js convs the native backend used before.
 * Run with `node build/bench/conv-native.js` (options: `--threads N` (default 2), `--steps N`,
 * `--no-train`, `--no-js`). Reports medians of wall and CPU time: the machine may be shared.
 */
import { cpus } from 'node:os';
import * as st from '../src/index.js';
import type { ConvInfo, Triple } from '../src/kernels/conv-kernels.js';
import { loadAddon } from '../src/kernels/native/addon.js';
import { createNativeBackend } from '../src/kernels/native/index.js';
import { convKernels as jsConv } from '../src/kernels/js/conv.js';
import type { Tensor } from '../src/tensor/tensor.js';
import { time, type Timing } from './kernel-timing.js';
import { strataModel } from './workloads/strata.js';

function conv2dInfo(batch: number, h: number, w: number, c: number, f: number, k: number, stride: number, same: boolean): ConvInfo {
  const out = (n: number) => same ? Math.ceil(n / stride) : Math.ceil((n - k + 1) / stride);
  const pad = (n: number) => same ? Math.floor(Math.max(0, (out(n) - 1) * stride + k - n) / 2) : 0;
  const t = (a: number, b: number): Triple => [1, a, b];
  return {
    batch, inSize: t(h, w), outSize: t(out(h), out(w)), inChannels: c, outChannels: f, kernel: t(k, k),
    strides: t(stride, stride), dilations: [1, 1, 1], padBefore: [0, pad(h), pad(w)], multiplier: 1,
  };
}

const load = loadAddon();
if (!load.addon) throw new Error(`native backend not built: ${load.reason}`);
const addon = load.addon;
const native = createNativeBackend(addon);
/** The native backend as it was before native convs: js conv kernels, native GEMM. */
const nativeJsConv = { ...native, ...jsConv, name: 'native-js-conv' };

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const threads = opt('--threads', 2);

function rand(shape: number[], seed: number): Tensor {
  return st.randomNormal(shape, { seed, dtype: 'float32' });
}

function fmt(t: Timing): string {
  return `${t.ms.toFixed(2).padStart(7)} ms (best ${t.best.toFixed(2)}, CPU ${t.cpuMs.toFixed(2)})`;
}

function w6(): void {
  const info = conv2dInfo(1, 64, 64, 32, 64, 3, 1, true);
  const x = rand([1, 1, 64, 64, 32], 1), w = rand([1, 3, 3, 32, 64], 2);
  const flops = 2 * 64 * 64 * 64 * 3 * 3 * 32;
  console.log('W6 conv2d 1×64×64×32 → 64, 3×3 same (float32):');
  for (const nt of [1, 2]) {
    addon.setThreads(nt);
    const t = time(() => native.conv3d(x, w, info), 201, 30);
    console.log(`  ${nt} thread${nt > 1 ? 's' : ' '}: ${fmt(t)} → ${(flops / t.ms / 1e6).toFixed(1)} GFLOPS median, ${(flops / t.best / 1e6).toFixed(1)} best`);
  }
  addon.setThreads(threads);
}

type Row = [string, ConvInfo, ('fwd' | 'bi' | 'bf')[]];

function kernels(title: string, rows: Row[], withJs: boolean): void {
  console.log(`\n${title}: native${withJs ? ' | js (the kernels the native backend ran before)' : ''}`);
  for (const [name, info, which] of rows) {
    const x = rand([info.batch, ...info.inSize, info.inChannels], 1);
    const w = rand([...info.kernel, info.inChannels, info.outChannels], 2);
    // As in training behind ReLU and max pool: most of dy is zero (the js gradients skip zeros).
    const dyDense = rand([info.batch, ...info.outSize, info.outChannels], 3);
    const dy = st.mul(dyDense, st.cast(st.greater(st.randomUniform(dyDense.shape, { seed: 4 }), 0.75), 'float32'));
    for (const k of which) {
      const run = (b: typeof native) => k === 'fwd' ? () => b.conv3d(x, w, info)
        : k === 'bi' ? () => b.conv3dBackpropInput(dy, w, info) : () => b.conv3dBackpropFilter(x, dy, info);
      const label = { fwd: 'conv3d', bi: 'backpropInput', bf: 'backpropFilter' }[k];
      const tn = time(run(native), 21, 5);
      const tj = withJs ? time(run(nativeJsConv), 5, 2) : undefined;
      console.log(`  ${name.padEnd(34)} ${label.padEnd(15)} ${fmt(tn)}${tj ? `  | ${fmt(tj)}  ×${(tj.ms / tn.ms).toFixed(1)}` : ''}`);
    }
  }
}

function train(backend: string, steps: number): void {
  st.setBackend(backend);
  const model = strataModel('cnn');
  const x = st.randomUniform([64, 28, 28, 1], { seed: 1 });
  const y = st.oneHot(st.cast(st.floor(st.randomUniform([64], { minval: 0, maxval: 10, seed: 2 })), 'int32'), 10);
  const t = time(() => { model.trainOnBatch(x, y); }, steps, 5);
  console.log(`  ${backend.padEnd(15)} ${fmt(t)} per step → ${(64000 / t.ms).toFixed(0)} samples/s median, ${(64000 / t.best).toFixed(0)} best`);
}

function main(): void {
  addon.setThreads(threads);
  console.log(`${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), Node ${process.version}, ISA ${addon.getIsa()}, ${threads} threads\n`);
  w6();
  const withJs = !args.includes('--no-js');
  kernels('W3 conv kernels (batch 64; dy 75% zeros)', [
    ['conv1 28×28×1 → 26×26×32', conv2dInfo(64, 28, 28, 1, 32, 3, 1, false), ['fwd', 'bf']],
    ['conv2 13×13×32 → 11×11×64', conv2dInfo(64, 13, 13, 32, 64, 3, 1, false), ['fwd', 'bi', 'bf']],
  ], withJs);
  kernels('W4 conv kernels (batch 32; dy 75% zeros)', [
    ['conv 14×14×1 → 16 same', conv2dInfo(32, 14, 14, 1, 16, 3, 1, true), ['fwd', 'bf']],
    // conv2dTranspose 14×14×16 → 28×28×16 stride 2: backpropInput of the conv 28×28×16 → 14×14×16.
    ['convT 14×14×16 → 28×28×16 s2', conv2dInfo(32, 28, 28, 16, 16, 3, 2, true), ['bi', 'fwd', 'bf']],
    ['conv 28×28×16 → 1 same', conv2dInfo(32, 28, 28, 16, 1, 3, 1, true), ['fwd', 'bi', 'bf']],
  ], withJs);
  if (args.includes('--no-train')) return;
  st.registerBackend(nativeJsConv);
  console.log('\nW3 training step (batch 64, Adam):');
  const steps = opt('--steps', 20);
  train('native', steps);
  if (withJs) train('native-js-conv', steps);
}

main();
