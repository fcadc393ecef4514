// Shared by the golden-value generators: TensorFlow.js on its cpu backend, and deterministic data.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// tfjs prints a banner suggesting tfjs-node on first use; keep console.log quiet and report on stdout.
console.log = () => {};
console.warn = () => {};
export const log = (s) => process.stdout.write(`${s}\n`);
export const tf = await import('@tensorflow/tfjs');
await tf.setBackend('cpu');

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** FNV-1a of a string: each case seeds its data from its name, so adding a case changes no other. */
export function hash(s) {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** mulberry32 with a Box–Muller normal: small, fast, good enough for test data. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    let u = next();
    while (u === 0) u = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };
  return { next, normal };
}

export const size = (shape) => shape.reduce((a, b) => a * b, 1);
export const f32 = Math.fround;

/** The fewest significant digits that read back as the same float32. */
export function short(v) {
  if (!Number.isFinite(v)) throw new Error(`non-finite value ${v}`);
  for (let p = 1; p <= 9; p++) {
    const s = Number(v.toPrecision(p));
    if (f32(s) === v) return s;
  }
  throw new Error(`cannot shorten ${v}`);
}
