/**
 * One cell of the benchmark table, timed in a process of its own: `node build/bench/cell.js IMPL ITEM
 * THREADS [--quick] [--batch N] [--seq N]` prints the cell as one JSON line on stdout (progress goes
 * to stderr). After the timing, a few more steps measure the step's peak memory (bench/peak-memory.ts).
 * --batch / --seq change a training item's batch size and W5 sequence length (bench/scaling.ts).
 *
 * Why a process per cell: memory-bound steps depend on the state of the process's heap. Measured here,
 * Strata's W3 inference ran at 16,000 samples/s in a fresh process and at 9,700 after TensorFlow.js
 * had trained in the same one; the peers' figures would be skewed by Strata's garbage the same way.
 * A fresh process per cell is also how a user's program meets the library: one model per process.
 */
import * as st from '../src/index.js';
import '../src/kernels/native/register.js';
import { nativeAddon } from '../src/kernels/native/addon.js';
import { loadWasmNode } from '../src/kernels/wasm/load-node.js';
import { wasmWorkersOf } from '../src/kernels/wasm/index.js';
import { FULL, QUICK, measure } from './measure.js';
import type { Cell } from './report.js';
import { ITEMS, withShape, type Item } from './workloads/catalog.js';
import { memoryPass, statusKb } from './peak-memory.js';
import { strataStep, type Built } from './workloads/strata.js';
import { setWasmThreads, threadShortfall } from './workloads/threads.js';
import { describeFailure, loadTfjs, tfjsStep } from './peers/tfjs.js';

/** The implementations a cell can time (PyTorch runs in its own script, bench/torch/bench_torch.py). */
export const CELL_IMPLS = ['strata-native', 'strata-wasm', 'strata-js', 'tfjs-cpu', 'tfjs-wasm'] as const;
export type CellImpl = (typeof CELL_IMPLS)[number];

async function build(impl: CellImpl, item: Item, threads: number): Promise<Built> {
  if (impl === 'strata-wasm') {
    // The C++ kernels compiled to WebAssembly (wasm/strata-threads.wasm in Node), on `threads` threads:
    // its workers started and inside the pool before the warm-up.
    const wasm = loadWasmNode().addon;
    if (!wasm || !st.listBackends().includes('wasm')) throw new Error('wasm backend not loaded (wasm/strata-threads.wasm missing?)');
    st.setBackend('wasm');
    const short = threadShortfall(setWasmThreads(st, threads), threads);
    if (short) throw new Error(short);
    await wasmWorkersOf(wasm)?.whenRunning(threads - 1);
    return strataStep(item);
  }
  if (impl === 'strata-native' || impl === 'strata-js') {
    const addon = nativeAddon();
    if (impl === 'strata-native') {
      if (!addon) throw new Error('native backend not built (run `node scripts/build-native.mjs`)');
      st.setBackend('native');
      addon.setThreads(threads);
    } else {
      st.setBackend('js');
    }
    return strataStep(item);
  }
  const tfjs = await loadTfjs();
  const backend = impl === 'tfjs-cpu' ? 'cpu' : 'wasm';
  if (!tfjs.backends[backend]) throw new Error(tfjs.unavailable[backend] ?? `tfjs ${backend} backend unavailable`);
  await tfjs.tf.setBackend(backend);
  return tfjsStep(tfjs.tf, item);
}

/** Steps of the memory pass after the timing (as bench_torch.py's --memory-steps default). */
const MEMORY_STEPS = 3;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const [impl, id, threadsArg] = argv;
  const quick = argv.includes('--quick');
  const flag = (name: string): number | undefined => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : undefined);
  const batch = flag('--batch'), sequence = flag('--seq');
  const found = ITEMS.find((i) => i.id === id);
  const usage = `usage: node build/bench/cell.js ${CELL_IMPLS.join('|')} ITEM THREADS [--quick] [--batch N] [--seq N]`;
  if (!CELL_IMPLS.includes(impl as CellImpl) || !found || !(Number(threadsArg) >= 1)) throw new Error(usage);
  for (const v of [batch, sequence]) if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new Error(`--batch / --seq take a whole number ≥ 1, got ${v}. ${usage}`);
  const item = batch || sequence ? withShape(found, { batch, sequence }) : found;
  // The bare runtime, before the item's model or operands exist: the baseline of workloadPeakMB.
  const runtimeRssKb = statusKb('VmRSS');
  let cell: Cell;
  let built: Built | undefined;
  try {
    built = await build(impl as CellImpl, item, Number(threadsArg));
    const m = await measure(built.step, item, quick ? QUICK : FULL);
    // A step slower than the step limit (`single`) gets one more for its memory on Strata native only
    // (the scaling figures' longest sequences); the slow peers' cells would take minutes more.
    if (!m.single || impl === 'strata-native') m.memory = await memoryPass(built.step, m.single ? 1 : MEMORY_STEPS, runtimeRssKb);
    cell = { ok: true, m };
  } catch (e) {
    cell = { ok: false, reason: `${impl} ${item.id}: ${describeFailure(e)}` };
  } finally {
    built?.dispose?.();
  }
  process.stdout.write(`${JSON.stringify(cell)}\n`);
}

await main();
