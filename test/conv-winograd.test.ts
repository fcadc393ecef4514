// The Winograd conv (native/src/conv-winograd.cc), forward and input gradient, on every compiled
// transport, forced onto each path with setConvWinograd: F(2×2) and F(4×4) against float64 sums
// within the error their transforms add, on edge tiles, channel tails, depth slices and the fused
// bias + relu; 'auto' picks the path its thresholds promise. (The kernels through the Backend interface, above the thresholds,
// are in test/backend-parity.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NativeAddon } from '../src/kernels/native/addon.js';
import type { ConvAddon } from '../src/kernels/native/conv.js';
import { compiled, randF32, settings } from './parity-harness.js';

/** A 3×3 stride-1 conv: input [batch, depth, h, w, c], `pad` zeros before along h and w. */
interface Case { batch: number; depth: number; h: number; w: number; c: number; f: number; pad: [number, number]; out: [number, number] }

function geom(k: Case): Int32Array {
  return Int32Array.from([k.batch, k.depth, k.h, k.w, k.depth, ...k.out, k.c, k.f, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, ...k.pad, 1]);
}

/**
 * Every (output position, tap, channel) pair of the 3×3 conv of k: visit(xAt, yAt, wAt) with the indices
 * of the input element, the output row (its f values follow) and the filter row read together.
 */
function forEachTap(k: Case, visit: (xAt: number, yAt: number, wAt: number) => void): void {
  const [oh, ow] = k.out, images = k.batch * k.depth;
  for (let n = 0; n < images; n++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        for (let kh = 0; kh < 3; kh++) {
          const h = i - k.pad[0] + kh;
          if (h < 0 || h >= k.h) continue;
          for (let kw = 0; kw < 3; kw++) {
            const v = j - k.pad[1] + kw;
            if (v < 0 || v >= k.w) continue;
            for (let c = 0; c < k.c; c++) visit(((n * k.h + h) * k.w + v) * k.c + c, ((n * oh + i) * ow + j) * k.f, ((kh * 3 + kw) * k.c + c) * k.f);
          }
        }
      }
    }
  }
}

/** The conv in float64, and Σ|x·w| per output (the scale of its rounding error). */
function reference(k: Case, x: Float32Array, w: Float32Array): { y: Float64Array; scale: Float64Array } {
  const y = new Float64Array(k.batch * k.depth * k.out[0] * k.out[1] * k.f), scale = new Float64Array(y.length);
  forEachTap(k, (xAt, yAt, wAt) => {
    for (let f = 0; f < k.f; f++) {
      y[yAt + f] += x[xAt] * w[wAt + f];
      scale[yAt + f] += Math.abs(x[xAt] * w[wAt + f]);
    }
  });
  return { y, scale };
}

// Output sizes that leave partial tiles of 2 and of 4 (11, 13, 15, 10), channel counts with lane
// tails (17, 20, 24, 33, 40: not multiples of 16 or of the GEMM tile's columns) and a few channels.
/** The input gradient in float64 (dx[i] = Σ dy[i + p − k] · w[k]ᵀ), and its Σ|dy·w| per element. */
function referenceInput(k: Case, dy: Float32Array, w: Float32Array): { y: Float64Array; scale: Float64Array } {
  const y = new Float64Array(k.batch * k.depth * k.h * k.w * k.c), scale = new Float64Array(y.length);
  forEachTap(k, (xAt, yAt, wAt) => {
    for (let f = 0; f < k.f; f++) {
      y[xAt] += dy[yAt + f] * w[wAt + f];
      scale[xAt] += Math.abs(dy[yAt + f] * w[wAt + f]);
    }
  });
  return { y, scale };
}

const CASES: Case[] = [
  { batch: 2, depth: 1, h: 13, w: 15, c: 24, f: 40, pad: [1, 1], out: [13, 15] },  // 'same'
  { batch: 3, depth: 1, h: 13, w: 13, c: 32, f: 20, pad: [0, 0], out: [11, 11] },  // 'valid', W3's conv2 size
  { batch: 1, depth: 2, h: 9, w: 10, c: 17, f: 33, pad: [2, 1], out: [11, 10] },   // depth slices, wide padding
  { batch: 2, depth: 1, h: 6, w: 7, c: 5, f: 3, pad: [1, 0], out: [6, 5] },        // few channels: scalar lanes only
];

// Largest |error| / Σ|x·w| allowed per path. Measured (uniform and normal inputs, these shapes, W3/W6's,
// up to 256 channels): implicit GEMM ≤ 3.3e-7, F(2×2) ≤ 1.7e-7, F(4×4) ≤ 4.8e-6 — its transforms scale
// terms by up to 8 and 1/24, so float32 rounding grows about tenfold. A broken transform errs by about 1.
const TOLERANCE: Record<string, number> = { off: 1e-6, f2: 1e-6, f4: 1e-5 };

function maxScaledError(got: Float32Array, want: Float64Array, scale: Float64Array): number {
  let e = 0;
  for (let i = 0; i < want.length; i++) e = Math.max(e, Math.abs(got[i] - want[i]) / (scale[i] + 1e-30));
  return e;
}

/** The addon's conv functions (the NativeAddon type leaves them to the glue's ConvAddon). */
function convs(addon: NativeAddon): ConvAddon {
  return addon as unknown as ConvAddon;
}

function conv(addon: NativeAddon, k: Case, x: Float32Array, w: Float32Array): Float32Array {
  const y = new Float32Array(k.batch * k.depth * k.out[0] * k.out[1] * k.f);
  convs(addon).conv3d(geom(k), x, w, y);
  return y;
}

test('Winograd F(2×2) and F(4×4) convs match float64 sums within their error bounds (edge tiles, channel tails, depth slices; every micro-kernel, 1 and 2 threads)', (t) => {
  if (compiled(t).length === 0) return;
  const data = CASES.map((k, i) => {
    const x = randF32([k.batch * k.depth * k.h * k.w * k.c], 10 + 2 * i).values as Float32Array;
    const w = randF32([9 * k.c * k.f], 11 + 2 * i).values as Float32Array;
    return { k, x, w, ...reference(k, x, w) };
  });
  for (const c of compiled(t)) {
    assert.equal(c.addon.setConvWinograd('sideways'), false);
    try {
      for (const s of settings(t, c, { isas: true })) {
        for (const d of data) {
          const outs: Record<string, Float32Array> = {};
          for (const mode of ['off', 'f2', 'f4']) {
            assert.ok(c.addon.setConvWinograd(mode));
            outs[mode] = conv(c.addon, d.k, d.x, d.w);
            const e = maxScaledError(outs[mode], d.y, d.scale);
            assert.ok(e <= TOLERANCE[mode], `${s.label} ${mode} ${JSON.stringify(d.k)}: max |error| / Σ|x·w| = ${e.toExponential(2)} > ${TOLERANCE[mode]}`);
          }
          // Three paths really ran: they round differently.
          assert.notDeepEqual(outs.f2, outs.off, `${s.label} ${JSON.stringify(d.k)}: f2 gave the implicit GEMM's bits`);
          assert.notDeepEqual(outs.f4, outs.f2, `${s.label} ${JSON.stringify(d.k)}: f4 gave f2's bits`);
        }
      }
    } finally {
      c.addon.setConvWinograd('auto');
    }
  }
});

test('Winograd input gradients (the flipped, transposed filter over dy) match float64 sums within the same bounds (every micro-kernel, 1 and 2 threads)', (t) => {
  if (compiled(t).length === 0) return;
  const data = CASES.map((k, i) => {
    const dy = randF32([k.batch * k.depth * k.out[0] * k.out[1] * k.f], 20 + 2 * i).values as Float32Array;
    const w = randF32([9 * k.c * k.f], 21 + 2 * i).values as Float32Array;
    return { k, dy, w, ...referenceInput(k, dy, w) };
  });
  for (const c of compiled(t)) {
    try {
      for (const s of settings(t, c, { isas: true })) {
        for (const d of data) {
          const outs: Record<string, Float32Array> = {};
          for (const mode of ['off', 'f2', 'f4']) {
            c.addon.setConvWinograd(mode);
            outs[mode] = new Float32Array(d.y.length);
            convs(c.addon).conv3dBackpropInput(geom(d.k), d.dy, d.w, outs[mode]);
            const e = maxScaledError(outs[mode], d.y, d.scale);
            assert.ok(e <= TOLERANCE[mode], `${s.label} dx ${mode} ${JSON.stringify(d.k)}: max |error| / Σ|dy·w| = ${e.toExponential(2)} > ${TOLERANCE[mode]}`);
          }
          assert.notDeepEqual(outs.f2, outs.off, `${s.label} dx ${JSON.stringify(d.k)}: f2 gave the implicit GEMM's bits`);
          assert.notDeepEqual(outs.f4, outs.f2, `${s.label} dx ${JSON.stringify(d.k)}: f4 gave f2's bits`);
        }
      }
    } finally {
      c.addon.setConvWinograd('auto');
    }
  }
});

test('Winograd applies the fused bias and activation to every output, edge tiles included', (t) => {
  if (compiled(t).length === 0) return;
  const k = CASES[0];
  const x = randF32([k.batch * k.h * k.w * k.c], 40).values as Float32Array;
  const w = randF32([9 * k.c * k.f], 41).values as Float32Array;
  const bias = randF32([k.f], 42).values as Float32Array;
  const { y: sum, scale } = reference(k, x, w);
  for (const c of compiled(t)) {
    try {
      for (const s of settings(t, c)) {
        for (const mode of ['f2', 'f4']) {
          c.addon.setConvWinograd(mode);
          const y = new Float32Array(sum.length);
          convs(c.addon).conv3dBiasActivation(geom(k), x, w, bias, 1 /* relu */, 0, y);
          for (let i = 0; i < y.length; i++) {
            const want = Math.max(0, sum[i] + bias[i % k.f]);
            const tol = TOLERANCE[mode] * scale[i] + 1e-6 * Math.abs(bias[i % k.f]);
            if (!(Math.abs(y[i] - want) <= tol)) assert.fail(`${s.label} ${mode}: y[${i}] = ${y[i]}, expected ${want} (tolerance ${tol})`);
          }
        }
      }
    } finally {
      c.addon.setConvWinograd('auto');
    }
  }
});

test('\'auto\' runs F(4×4) with many tiles, F(2×2) with few, the implicit GEMM below the channel thresholds', (t) => {
  if (compiled(t).length === 0) return;
  const shapes: [Case, string][] = [
    [{ batch: 1, depth: 1, h: 32, w: 32, c: 32, f: 64, pad: [1, 1], out: [32, 32] }, 'f4'],  // 64 tiles of 4×4
    [{ batch: 1, depth: 1, h: 13, w: 13, c: 32, f: 64, pad: [0, 0], out: [11, 11] }, 'f2'],  // 9 of 4×4, 36 of 2×2
    [{ batch: 2, depth: 1, h: 16, w: 16, c: 4, f: 4, pad: [1, 1], out: [16, 16] }, 'off'],   // 4 channels
  ];
  for (const c of compiled(t)) {
    try {
      for (const [k, path] of shapes) {
        const x = randF32([k.batch * k.h * k.w * k.c], 50).values as Float32Array;
        const w = randF32([9 * k.c * k.f], 51).values as Float32Array;
        c.addon.setConvWinograd('auto');
        const auto = conv(c.addon, k, x, w);
        c.addon.setConvWinograd(path);
        assert.deepEqual(auto, conv(c.addon, k, x, w), `[${c.name}] ${JSON.stringify(k)}: 'auto' should run ${path}`);
      }
    } finally {
      c.addon.setConvWinograd('auto');
    }
  }
});
