/**
 * Gradient clipping as Keras 3 applies it before an update, on typed arrays. Each function returns
 * new arrays where it changes something and the given array where it does not; none writes its input.
 */
import type { GradArray } from './update-rules.js';

/** Euclidean norm of one array (accumulated in float64). */
export function l2Norm(g: GradArray): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  return Math.sqrt(s);
}

/** Norm of all arrays taken together. */
export function globalNorm(gs: readonly GradArray[]): number {
  let s = 0;
  for (const g of gs) {
    for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  }
  return Math.sqrt(s);
}

function scaled(g: GradArray, factor: number): GradArray {
  const out = g instanceof Float32Array ? new Float32Array(g.length) : new Float64Array(g.length);
  for (let i = 0; i < g.length; i++) out[i] = g[i] * factor;
  return out;
}

/** g·c / max(‖g‖, c): rescales g so that its norm is at most `clipNorm`. */
export function clipByNorm(g: GradArray, clipNorm: number): GradArray {
  const norm = l2Norm(g);
  return norm > clipNorm ? scaled(g, clipNorm / norm) : g;
}

/** Rescales every array by c / max(global norm, c), so that their joint norm is at most `clipNorm`. */
export function clipByGlobalNorm(gs: readonly GradArray[], clipNorm: number): GradArray[] {
  const norm = globalNorm(gs);
  if (!(norm > clipNorm)) return gs.slice();
  const factor = clipNorm / norm;
  return gs.map((g) => scaled(g, factor));
}

/** Elementwise clip to [−c, c]. */
export function clipByValue(g: GradArray, clipValue: number): GradArray {
  let inside = true;
  for (let i = 0; i < g.length; i++) {
    if (g[i] > clipValue || g[i] < -clipValue) { inside = false; break; }
  }
  if (inside) return g;
  const out = g instanceof Float32Array ? new Float32Array(g.length) : new Float64Array(g.length);
  for (let i = 0; i < g.length; i++) out[i] = g[i] > clipValue ? clipValue : g[i] < -clipValue ? -clipValue : g[i];
  return out;
}

/** The three Keras 3 clipping options; at most one may be set. */
export interface ClipOptions {
  clipNorm: number | null;
  clipValue: number | null;
  globalClipNorm: number | null;
}

/** Applies whichever clipping option is set to a list of gradients. */
export function clipGradients(gs: readonly GradArray[], opts: ClipOptions): GradArray[] {
  if (opts.clipNorm !== null) return gs.map((g) => clipByNorm(g, opts.clipNorm!));
  if (opts.globalClipNorm !== null) return clipByGlobalNorm(gs, opts.globalClipNorm);
  if (opts.clipValue !== null) return gs.map((g) => clipByValue(g, opts.clipValue!));
  return gs.slice();
}
