import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The compiled addon (native/src/addon.cc). Arrays are used in place: inputs are read, the output
 * (allocated by the caller) is written. Strided views: element (i, j) of op(X) is x[off + i·rs + j·cs].
 */
export interface NativeAddon {
  /** C[cOff + i·ldc + j] (+)= Σ_p op(A)[i, p] · op(B)[p, j], op(A) m × k, op(B) k × n (float32). */
  gemm(
    m: number, n: number, k: number,
    a: Float32Array, aOff: number, aRs: number, aCs: number,
    b: Float32Array, bOff: number, bRs: number, bCs: number,
    c: Float32Array, cOff: number, ldc: number, accumulate: boolean,
  ): void;
  /** `batch` gemms of one shape; product t reads A at aOffsets[t], B at bOffsets[t], writes C at t·cStride. */
  gemmBatched(
    batch: number, m: number, n: number, k: number,
    a: Float32Array, aOffsets: Float64Array, aRs: number, aCs: number,
    b: Float32Array, bOffsets: Float64Array, bRs: number, bCs: number,
    c: Float32Array, cStride: number, ldc: number, accumulate: boolean,
  ): void;
  /** The layout gemmPackB packs for (it changes with setIsa): a packed copy is valid under this layout only. */
  gemmPackLayout(): number;
  /** The Float32Array length gemmPackB needs for a k × n matrix. */
  gemmPackedLength(k: number, n: number): number;
  /**
   * Packs the row-major k × n matrix b for the GEMM into out (gemmPackedLength long); returns the
   * offset (elements) where the packed values start in out.
   */
  gemmPackB(k: number, n: number, b: Float32Array, out: Float32Array): number;
  /**
   * A dense layer's forward pass: out [m, n] = act(x [m, k] · w [k, n] + bias) with act a FUSED_CODE
   * index, or one past them for softmax along n; `packed` (or null) is w from gemmPackB, made under
   * `layout`, its values at `packedOffset`. Returns false, writing nothing, when the current layout is
   * another (pack w again).
   */
  dense(
    m: number, n: number, k: number, x: Float32Array, w: Float32Array,
    packed: Float32Array | null, packedOffset: number, layout: number,
    bias: Float32Array | null, act: number, alpha: number, out: Float32Array,
  ): boolean;
  /**
   * Keeps a copy of `a` where the kernels read it, for an array read by call after call and never
   * written (a layer's weights in inference, and their packed copy): the wasm transport then passes it
   * without copying it into wasm memory each time, and frees the copy once `a` is collected. Absent on
   * the Node addon, which reads arrays in place.
   */
  keepResident?(a: Float32Array): void;
  /** Does nothing: measures the cost of a call. */
  noop(): void;
  /** Threads a large kernel uses (the calling thread included). */
  getThreads(): number;
  /** Sets the threads large kernels use; 0 restores the default (STRATA_NUM_THREADS or all cores). */
  setThreads(n: number): number;
  /** The GEMM micro-kernel in use: 'avx512', 'avx2' or 'generic'. */
  getIsa(): string;
  /** The best micro-kernel this CPU supports. */
  getBestIsa(): string;
  /** Forces a micro-kernel (for tests); false if the CPU lacks it. */
  setIsa(isa: string): boolean;
  /**
   * Which path the forward 3×3 stride-1 convs take (for tests): 'auto' (Winograd above the measured
   * thresholds, the default), 'off' (the implicit GEMM), 'f2' or 'f4' (Winograd F(2×2) or F(4×4) for
   * every conv it can run); false for an unknown mode.
   */
  setConvWinograd(mode: string): boolean;
  /**
   * The relative speeds (1 = average) learned for the parts of a GEMM split across threads, by part
   * index; 0 where nothing was learned yet. Parts are sized by these speeds (native/src/split-balance.cc).
   */
  taskSpeeds(): number[];
  /** Overrides the learned speed of part t (for tests); 0 or less forgets it. */
  setTaskSpeed(t: number, speed: number): void;
  /**
   * Whether the addon raised glibc's mmap and trim thresholds when it loaded, so large freed tensors
   * are reused instead of page-faulted in again (native/src/malloc-tuning.cc; STRATA_MALLOC_TUNING=0
   * turns it off).
   */
  mallocTuned(): boolean;
}

/** Where node-gyp puts the addon, relative to the package root (see scripts/build-native.mjs). */
const ADDON_PATH = join('native', 'build', 'Release', 'strata_native.node');

/** The package root: the nearest folder above this file that holds native/ (dist/… or build/src/…). */
function findAddonFile(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, ADDON_PATH);
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

export type AddonLoad = { addon: NativeAddon; path: string } | { addon: null; reason: string };

let loaded: AddonLoad | undefined;

/**
 * Loads the addon once. Refuses (with the reason) when STRATA_DISABLE_NATIVE=1, when it was not
 * built, or when it fails to load (built for another Node or CPU, say).
 */
export function loadAddon(): AddonLoad {
  if (loaded) return loaded;
  loaded = tryLoad();
  return loaded;
}

function tryLoad(): AddonLoad {
  if (process.env.STRATA_DISABLE_NATIVE === '1') return { addon: null, reason: 'disabled by STRATA_DISABLE_NATIVE=1' };
  const path = findAddonFile();
  if (!path) return { addon: null, reason: 'native backend not built; run `node scripts/build-native.mjs`' };
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    if (typeof addon.gemm !== 'function') return { addon: null, reason: `${path} is not the Strata addon` };
    return { addon, path };
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    return { addon: null, reason: `native backend failed to load: ${msg}` };
  }
}

/** The loaded addon, or null (internal: the native backend, its tests and the benchmark use it). */
export function nativeAddon(): NativeAddon | null {
  return loadAddon().addon;
}
