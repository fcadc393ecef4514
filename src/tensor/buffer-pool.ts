/**
 * Recycled backing stores for a training step's large arrays (issue 13). A W3 training step makes
 * ~24 MB of fresh Float32Arrays (conv outputs, pool indices, gradients); every fresh array costs a
 * page fault per 4 KiB and, as garbage, V8 mark-compacts (45–51 per 65 steps). Inside a step scope
 * (`withStepBuffers`, opened by the training step of a model whose code is all the library's), every
 * large array the kernels allocate is noted; when the step has finished, those not adopted by a
 * Variable (`keepBuffer`) are dead — the tape, the gradients and the activations are dropped with the
 * step, and only library code ran that could have kept one — so their ArrayBuffers go back to a pool
 * by byte length, and the next step's kernels take them instead of fresh memory.
 *
 * A Variable's storage goes back too, when an optimizer replaces it in a later step and nothing else
 * can hold it: storage a Variable adopted from a recycling step is "owned" until a tensor sharing it is
 * made outside a recycling step (a user's reshape of the weight, say: `noteStorageShared`, called by
 * the Tensor constructor); owned storage the next step replaces is recycled when that step ends.
 *
 * Each take hands out a new typed-array view: facts kept by view (ops/relu-pool-grad.ts) never carry
 * over to the buffer's next use. Outside a scope nothing is noted or recycled, so tensors a user can
 * reach are never handed out again.
 */

/**
 * Arrays below this many bytes are left to the allocator. Not higher: W3 training made ~0.25 MB a step
 * of 4–64 KiB arrays (biases, dense outputs, small gradients) that lay dead until V8 collected them,
 * ~7 MB at any time plus the holes they left in glibc's heap; pooled, its peak RSS fell by ~12 MB.
 */
export const POOLED_MIN_BYTES = 1 << 12;
/** The most bytes the pool holds between steps; above it a returned buffer is left to the GC. */
const MAX_POOLED_BYTES = 256 * 1024 * 1024;
/** A size no scope has taken for this many scopes is dropped (a batch size that changed, say). */
const STALE_AFTER_SCOPES = 3;

interface Scope {
  /** Whether its buffers go back to the pool when it ends (false: nothing is known about their readers). */
  recycle: boolean;
  /** Large buffers allocated while it was the innermost scope (and owned Variable storage it replaced). */
  taken: ArrayBuffer[];
  /** The same, for membership tests. */
  takenSet: Set<ArrayBuffer>;
  /** Of those, the ones something outlives the step with (a Variable's storage). */
  kept: Set<ArrayBuffer>;
}

const free = new Map<number, ArrayBuffer[]>();
/** The scope count when a size was last taken from or returned to the pool. */
const lastUsed = new Map<number, number>();
let pooledBytes = 0;
/** Variable storage that came from a recycling step and that no tensor made outside one shares. */
const owned = new WeakSet<ArrayBufferLike>();
let anyOwned = false;
let scopeCount = 0;
const scopes: Scope[] = [];

/** Off when STRATA_STEP_BUFFERS=0 (A/B benches), or by setStepBufferRecycling. */
let enabled = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.STRATA_STEP_BUFFERS !== '0';

/** Turns recycling on or off (tests and benches compare the two); returns the previous setting. */
export function setStepBufferRecycling(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

/** Counters for benches and tests: buffers handed out from the pool, and fresh ones noted in a scope. */
export const bufferPoolStats = { reused: 0, fresh: 0, returned: 0 };

/**
 * A buffer of exactly `bytes` bytes for a kernel's output (its contents are undefined), noted in the
 * innermost step scope; `allocate` makes a fresh one when the pool has none. Outside a scope, or
 * below POOLED_MIN_BYTES, this is `allocate()`.
 */
export function stepBuffer(bytes: number, allocate: () => ArrayBuffer): ArrayBuffer {
  const scope = scopes.length > 0 ? scopes[scopes.length - 1] : null;
  if (!scope || !scope.recycle || bytes < POOLED_MIN_BYTES) return allocate();
  const list = free.get(bytes);
  let buffer = list?.pop();
  if (buffer) {
    pooledBytes -= bytes;
    bufferPoolStats.reused++;
  } else {
    buffer = allocate();
    bufferPoolStats.fresh++;
  }
  lastUsed.set(bytes, scopeCount);
  scope.taken.push(buffer);
  scope.takenSet.add(buffer);
  return buffer;
}

/** The innermost scope when it recycles, else null. */
function recyclingScope(): Scope | null {
  const scope = scopes.length > 0 ? scopes[scopes.length - 1] : null;
  return scope && scope.recycle ? scope : null;
}

/**
 * Notes that `buffer` outlives the running step (a Variable adopted it): it is never returned to the
 * pool. Variable.assign calls it; so must anything else that keeps a kernel output past a step.
 */
export function keepBuffer(buffer: ArrayBufferLike): void {
  for (const s of scopes) s.kept.add(buffer as ArrayBuffer);
}

/** keepBuffer for the storage of `values` (a returned result, say); small arrays are never pooled. */
export function keepStorage(values: ArrayBufferView): void {
  if (values.byteLength >= POOLED_MIN_BYTES) keepBuffer(values.buffer);
}

/**
 * A Variable's storage went from `old` to `next` (Variable.assign). `next` outlives the step (kept);
 * made by this recycling step, it becomes owned by the Variable. `old`, if owned and replaced inside a
 * recycling step, returns to the pool when the step ends: only the step's own views could read it.
 */
export function variableStorageReplaced(oldValues: ArrayBufferView, nextValues: ArrayBufferView): void {
  if (nextValues.byteLength < POOLED_MIN_BYTES && oldValues.byteLength < POOLED_MIN_BYTES) return; // never pooled
  const old = oldValues.buffer, next = nextValues.buffer;
  keepBuffer(next);
  const scope = recyclingScope();
  if (!scope || scopes.length !== 1 || old === next) return;
  if (scope.takenSet.has(next as ArrayBuffer)) {
    owned.add(next);
    anyOwned = true;
  }
  if (owned.has(old)) {
    owned.delete(old);
    if (scope.kept.has(old as ArrayBuffer)) scope.kept.delete(old as ArrayBuffer);
    if (!scope.takenSet.has(old as ArrayBuffer)) {
      scope.taken.push(old as ArrayBuffer);
      scope.takenSet.add(old as ArrayBuffer);
    }
  }
}

/**
 * A tensor is being made over `values` (the Tensor constructor calls this). Outside a recycling step
 * it may outlive any step, so Variable storage it shares is no longer recycled when replaced.
 */
export function noteStorageShared(values: ArrayBufferView): void {
  // Owned storage is large; `.buffer` of a small on-heap typed array would move it off the heap.
  if (anyOwned && values.byteLength >= POOLED_MIN_BYTES && !recyclingScope()) owned.delete(values.buffer);
}

/**
 * Runs `f` as one step scope. With `recycle`, the large buffers allocated inside and not kept go back
 * to the pool when `f` returns; the caller vouches that nothing reachable after `f` (its result
 * included) reads them. If `f` throws, nothing is recycled.
 */
export function withStepBuffers<T>(recycle: boolean, f: () => T): T {
  const scope: Scope = { recycle: recycle && enabled, taken: [], takenSet: new Set(), kept: new Set() };
  scopes.push(scope);
  let result: T;
  try {
    result = f();
  } finally {
    scopes.splice(scopes.indexOf(scope), 1);
  }
  if (scope.recycle) recycleScope(scope);
  return result;
}

function recycleScope(scope: Scope): void {
  scopeCount++;
  for (const buffer of scope.taken) {
    if (scope.kept.has(buffer) || buffer.byteLength === 0) continue;
    const bytes = buffer.byteLength;
    if (pooledBytes + bytes > MAX_POOLED_BYTES) continue;
    let list = free.get(bytes);
    if (!list) free.set(bytes, (list = []));
    list.push(buffer);
    pooledBytes += bytes;
    lastUsed.set(bytes, scopeCount);
    bufferPoolStats.returned++;
  }
  for (const [bytes, list] of free) {
    if (scopeCount - (lastUsed.get(bytes) ?? 0) < STALE_AFTER_SCOPES) continue;
    pooledBytes -= bytes * list.length;
    free.delete(bytes);
    lastUsed.delete(bytes);
  }
}

/** Bytes the pool holds now (between steps: about one step's large arrays). */
export function pooledBufferBytes(): number {
  return pooledBytes;
}

/** Empties the pool (tests; memory pressure). */
export function clearBufferPool(): void {
  free.clear();
  lastUsed.clear();
  pooledBytes = 0;
}
