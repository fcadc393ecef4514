/**
 * Benchmark: training (and inference) steps of the W5 recurrent models — embedding(5000, 32) →
 * LSTM / GRU / SimpleRNN(64) → dense 1 sigmoid, sequences of 100 tokens, batch 32, binary
 * cross-entropy, Adam — on the `js` and `native` backends, with the fused recurrent kernels and, for
 * comparison, with the per-step path (`--per-step`, or `--compare` for both). Prints samples/s from the
 * median wall time of a step and from the median CPU time of a step (less sensitive to other load on
 * the machine). Run with `node build/bench/rnn.js` (options: `--cells lstm,gru,rnn`,
 * `--backends js,native`, `--steps N`, `--infer`, `--per-step`, `--compare`, `--threads N`).
 */
import { cpus } from 'node:os';
import * as st from '../src/index.js';
import '../src/kernels/native/register.js';
import { nativeAddon } from '../src/kernels/native/addon.js';
import { setFusedRecurrent } from '../src/layers/recurrent.js';
import { time } from './kernel-timing.js';

const BATCH = 32, TIME = 100, VOCAB = 5000, EMBED = 32, UNITS = 64;

function w5(cell: 'lstm' | 'gru' | 'rnn'): st.Sequential {
  const L = st.layers;
  const model = st.sequential({
    layers: [
      L.embedding({ inputDim: VOCAB, outputDim: EMBED, inputShape: [TIME] }),
      L.recurrent({ cell, units: UNITS }),
      L.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  model.compile({ optimizer: st.optimizers.adam({ learningRate: 1e-3 }), loss: 'binaryCrossentropy' });
  return model;
}

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
}

function main(): void {
  const args = process.argv.slice(2);
  const cells = option(args, '--cells', 'lstm,gru,rnn').split(',') as ('lstm' | 'gru' | 'rnn')[];
  const steps = Number(option(args, '--steps', '10'));
  const addon = nativeAddon();
  const threads = option(args, '--threads', '');
  if (addon && threads) addon.setThreads(Number(threads));
  const backends = option(args, '--backends', addon ? 'native,js' : 'js').split(',');
  const modes = args.includes('--compare') ? [true, false] : [!args.includes('--per-step')];
  const infer = args.includes('--infer');
  console.log(`${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}` +
    `${addon ? `, native ${addon.getIsa()} ${addon.getThreads()} threads` : ''}; W5: batch ${BATCH}, time ${TIME}, units ${UNITS}`);
  const x = st.cast(st.floor(st.randomUniform([BATCH, TIME], { minval: 0, maxval: VOCAB, seed: 1 })), 'int32');
  const y = st.cast(st.greater(st.randomUniform([BATCH, 1], { seed: 2 }), 0.5), 'float32');
  for (const backend of backends) {
    st.setBackend(backend);
    for (const cell of cells) {
      for (const fused of modes) {
        setFusedRecurrent(fused);
        const model = w5(cell);
        const run = infer ? () => { model.predict(x); } : () => { model.trainOnBatch(x, y); };
        const t = time(run, steps, 3);
        const what = infer ? 'predict' : 'train';
        console.log(`${backend.padEnd(6)} ${cell.padEnd(4)} ${fused ? 'fused   ' : 'per-step'} ${what}: ` +
          `${t.ms.toFixed(1).padStart(7)} ms/step → ${(BATCH * 1000 / t.ms).toFixed(0).padStart(5)} samples/s; ` +
          `CPU ${t.cpuMs.toFixed(1).padStart(7)} ms → ${(BATCH * 1000 / t.cpuMs).toFixed(0).padStart(5)} samples/CPU-s ` +
          `(CPU share ${t.cpuShare.toFixed(2)})`);
      }
    }
  }
  setFusedRecurrent(true);
}

main();
