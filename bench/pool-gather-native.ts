/**
 * Benchmark: the native pooling and gather kernels against their js twins at the workload shapes —
 * W3: 2×2 max pooling of [64, 26, 26, 32] and [64, 11, 11, 64] (inference, the recorded forward pass
 * as argmax + gather and as the fused kernel, and the backward scatter-add); W5: embedding(5000, 32)
 * looked up with [32, 100] indices (gather, and unsortedSegmentSum for its gradient).
 * Prints the median and fastest ms per call and the median CPU ms. Run with `node build/bench/pool-gather-native.js`.
 */
import * as st from '../src/index.js';
import { nativeAddon } from '../src/kernels/native/addon.js';
import { createNativeBackend } from '../src/kernels/native/index.js';
import { jsBackend } from '../src/kernels/js/index.js';
import type { Backend } from '../src/kernels/backend.js';
import { planPool, poolShape5d, readPoolArgs } from '../src/ops/pool-util.js';
import { Tensor } from '../src/tensor/tensor.js';
import { loadLine, samplesFor, time } from './kernel-timing.js';

function row(name: string, fn: (b: Backend) => unknown, backends: Backend[]): void {
  const cells = backends.map((b) => {
    const t0 = performance.now();
    fn(b);
    const r = time(() => fn(b), samplesFor(performance.now() - t0, 800, 5, 400), 2);
    return { name: b.name, r };
  });
  const [first, ...rest] = cells;
  // Under load the median wall time mostly measures other processes: the fastest call and the CPU
  // time say more, so the ratio uses the fastest calls.
  const ratio = rest.length ? `  js/native ${(rest[0].r.best / first.r.best).toFixed(1)}× (best)` : '';
  const cell = (c: (typeof cells)[number]): string =>
    `${c.name} ${c.r.ms.toFixed(3).padStart(7)} ms best ${c.r.best.toFixed(3).padStart(7)} cpu ${c.r.cpuMs.toFixed(3).padStart(7)}`;
  console.log(`${name.padEnd(48)} ${cells.map(cell).join('  |  ')}${ratio}`);
}

function main(): void {
  const addon = nativeAddon();
  if (!addon) {
    console.log('native addon not built: run `node scripts/build-native.mjs`');
    return;
  }
  const native = createNativeBackend(addon);
  const both = [native, jsBackend];
  console.log(`native vs js kernels; threads ${addon.getThreads()}; ${loadLine()}`);
  for (const shape of [[64, 26, 26, 32], [64, 11, 11, 64]]) {
    const x = st.randomNormal(shape, { seed: 1, dtype: 'float32' });
    const { shape5d } = poolShape5d('maxPool', x, 2);
    const info = planPool('maxPool', x.shape, shape5d, 2, readPoolArgs('maxPool', 2, 2, 2, 'valid'));
    const tag = `maxpool 2 [${shape}]`;
    row(`${tag} forward`, (b) => b.maxPool3d(x, info), both);
    row(`${tag} argmax + gatherFlat`, (b) => b.gatherFlat(x, b.maxPool3dArgmax(x, info)), both);
    row(`${tag} fused values + argmax`, (b) => b.maxPool3dWithArgmax(x, info), both);
    const argmax = jsBackend.maxPool3dArgmax(x, info);
    const dy = st.randomNormal(argmax.shape, { seed: 2, dtype: 'float32' });
    row(`${tag} backward scatterAddFlat`, (b) => b.scatterAddFlat(dy, argmax, x.shape), both);
    row(`${tag} avg forward`, (b) => b.avgPool3d(x, info), both);
    row(`${tag} avg backward`, (b) => b.avgPool3dBackward(dy, info), both);
  }
  const table = st.randomNormal([5000, 32], { seed: 3, dtype: 'float32' });
  const ids = new Tensor(Int32Array.from({ length: 3200 }, (_, i) => (i * 7919) % 5000), [32, 100]);
  const dEmb = st.randomNormal([32, 100, 32], { seed: 4, dtype: 'float32' });
  row('embedding(5000, 32) [32, 100] gather', (b) => b.gather(table, ids, 0), both);
  row('embedding(5000, 32) [32, 100] unsortedSegmentSum', (b) => b.unsortedSegmentSum(dEmb, ids, 5000, 0), both);
  console.log(loadLine());
}

main();
