/**
 * Benchmark: training steps of the W3 MNIST CNN (28×28×1 → conv 32 3×3 relu → maxpool 2 → conv 64 3×3
 * relu → maxpool 2 → flatten → dense 128 relu → dropout 0.5 → dense 10 softmax; batch 64, Adam) on the
 * reference `js` backend, plus per-kernel timings of the three conv kernels at the W3 shapes.
 * Prints samples/s (median over timed steps after a warm-up). Run with `node build/bench/conv-js.js`
 * (options: `--steps N`, `--kernels-only`, `--no-kernels`, `--direct` for the old direct-loop conv kernels).
 */
import { cpus } from 'node:os';
import * as st from '../src/index.js';
import { jsBackend } from '../src/kernels/js/index.js';
import type { ConvInfo } from '../src/kernels/conv-kernels.js';
import { directConv3d, directConv3dBackpropFilter, directConv3dBackpropInput } from '../src/kernels/js/conv-direct.js';
import { time, type Timing } from './kernel-timing.js';
import { strataModel } from './workloads/strata.js';

/** The js backend with the direct-loop conv kernels of before im2col, for a before/after comparison (`--direct`). */
const jsDirect = {
  ...jsBackend, name: 'js-direct',
  conv3d: directConv3d, conv3dBackpropInput: directConv3dBackpropInput, conv3dBackpropFilter: directConv3dBackpropFilter,
};

const BATCH = 64;

function info2d(n: number, h: number, w: number, c: number, f: number, k: number): ConvInfo {
  return {
    batch: n, inSize: [1, h, w], outSize: [1, h - k + 1, w - k + 1], inChannels: c, outChannels: f,
    kernel: [1, k, k], strides: [1, 1, 1], dilations: [1, 1, 1], padBefore: [0, 0, 0], multiplier: 1,
  };
}

function benchKernels(b: typeof jsBackend): void {
  console.log('conv kernels at the W3 shapes (batch 64, float32), median (best) ms:');
  for (const [name, i] of [['conv1 28×28×1→32', info2d(BATCH, 28, 28, 1, 32, 3)], ['conv2 13×13×32→64', info2d(BATCH, 13, 13, 32, 64, 3)]] as const) {
    const x = st.randomNormal([i.batch, 1, i.inSize[1], i.inSize[2], i.inChannels], { seed: 1 });
    const w = st.randomNormal([1, 3, 3, i.inChannels, i.outChannels], { seed: 2 });
    const dy = st.randomNormal([i.batch, 1, i.outSize[1], i.outSize[2], i.outChannels], { seed: 3 });
    const fmt = (t: Timing) => `${t.ms.toFixed(1).padStart(6)} (${t.best.toFixed(1)})`;
    const fwd = time(() => b.conv3d(x, w, i), 7, 12);
    const bi = time(() => b.conv3dBackpropInput(dy, w, i), 7, 12);
    const bf = time(() => b.conv3dBackpropFilter(x, dy, i), 7, 12);
    // In W3 about 85% of each conv's dy is zero (ReLU, then a 2×2 max pool passing one gradient in four).
    const sparse = st.mul(dy, st.cast(st.greater(st.randomUniform(dy.shape, { seed: 4 }), 0.85), 'float32'));
    const bis = time(() => b.conv3dBackpropInput(sparse, w, i), 7, 12);
    const bfs = time(() => b.conv3dBackpropFilter(x, sparse, i), 7, 12);
    console.log(`  ${name.padEnd(20)} conv3d ${fmt(fwd)}   backpropInput ${fmt(bi)}   backpropFilter ${fmt(bf)}`);
    console.log(`  ${''.padEnd(20)} with 85% of dy zero: backpropInput ${fmt(bis)}   backpropFilter ${fmt(bfs)}`);
  }
}

function main(): void {
  const args = process.argv.slice(2);
  const stepsArg = args.indexOf('--steps');
  const steps = stepsArg >= 0 ? Number(args[stepsArg + 1]) : 10;
  const backend = args.includes('--direct') ? jsDirect : jsBackend;
  st.registerBackend(jsDirect);
  st.setBackend(backend.name);
  console.log(`${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, one thread, backend ${backend.name}\n`);
  if (!args.includes('--no-kernels')) benchKernels(backend);
  if (args.includes('--kernels-only')) return;
  const model = strataModel('cnn');
  const x = st.randomUniform([BATCH, 28, 28, 1], { seed: 1 });
  const labels = st.randomUniform([BATCH], { minval: 0, maxval: 10, seed: 2 });
  const y = st.oneHot(st.cast(st.floor(labels), 'int32'), 10);
  const t = time(() => { model.trainOnBatch(x, y); }, steps, 5);
  console.log(`\nW3 training step, batch ${BATCH}: ${t.ms.toFixed(1)} ms median over ${steps} steps → ${(BATCH * 1000 / t.ms).toFixed(1)} samples/s` +
    ` (best step ${t.best.toFixed(1)} ms → ${(BATCH * 1000 / t.best).toFixed(1)}; median CPU time ${t.cpuMs.toFixed(1)} ms → ${(BATCH * 1000 / t.cpuMs).toFixed(1)})` +
    ` (CPU share ${t.cpuShare.toFixed(2)}${t.cpuShare < 0.9 ? ', machine busy: understated' : ''})`);
}

main();
