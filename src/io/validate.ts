/**
 * Checks on untrusted model files, done before anything is allocated or recursed into: JSON size
 * and depth, manifest structure, weight shapes and byte totals against a cap, weight paths.
 */
import type { LoadOptions, WeightGroup, WeightSpec } from './types.js';
import { ModelFileError } from './errors.js';

export interface Limits {
  maxWeightBytes: number;
  maxActivationBytes: number;
  maxJsonBytes: number;
  maxJsonDepth: number;
}

/** Default cap on weight bytes: 2 GiB, as TensorFlow.js' own array size limit. */
export const DEFAULT_MAX_WEIGHT_BYTES = 2 ** 31;
const MAX_RANK = 16;
const MAX_DIM = 2 ** 31 - 1;

export function resolveLimits(opts: LoadOptions = {}): Limits {
  const pos = (v: unknown, def: number, name: string): number => {
    if (v === undefined) return def;
    if (typeof v !== 'number' || !(v > 0)) throw new ModelFileError(`loadLayersModel: ${name} must be a positive number, got ${String(v)}`);
    return v;
  };
  const maxWeightBytes = pos(opts.maxWeightBytes, DEFAULT_MAX_WEIGHT_BYTES, 'maxWeightBytes');
  return {
    maxWeightBytes,
    maxActivationBytes: pos(opts.maxActivationBytes, maxWeightBytes, 'maxActivationBytes'),
    maxJsonBytes: pos(opts.maxJsonBytes, 64 * 2 ** 20, 'maxJsonBytes'),
    maxJsonDepth: pos(opts.maxJsonDepth, 200, 'maxJsonDepth'),
  };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Short printable form of a JSON value for messages. */
export function show(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/**
 * Parses model.json text after checking its size and nesting depth without recursion, so that a
 * hostile file cannot exhaust the stack in later recursive passes.
 */
export function parseJson(text: string, where: string, limits: Limits): unknown {
  if (text.length > limits.maxJsonBytes) {
    throw new ModelFileError(`${where}: ${text.length} characters is over the limit of ${limits.maxJsonBytes} (option maxJsonBytes)`);
  }
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > limits.maxJsonDepth) {
        throw new ModelFileError(`${where}: JSON nested deeper than ${limits.maxJsonDepth} levels (option maxJsonDepth)`);
      }
    } else if (c === 125 || c === 93) depth--;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelFileError(`${where}: malformed JSON: ${(e as Error).message}`);
  }
}

/** Iterative depth check for JSON handed over as an object (st.io.fromMemory). */
export function checkDepth(value: unknown, where: string, limits: Limits): void {
  const stack: [unknown, number][] = [[value, 1]];
  let seen = 0;
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > limits.maxJsonDepth) throw new ModelFileError(`${where}: JSON nested deeper than ${limits.maxJsonDepth} levels (option maxJsonDepth)`);
    if (++seen > 10_000_000) throw new ModelFileError(`${where}: JSON too large, or it refers to itself`);
    for (const x of Array.isArray(v) ? v : Object.values(v)) if (x !== null && typeof x === 'object') stack.push([x, d + 1]);
  }
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };
const QBYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

/** Bytes a validated spec takes in a shard. */
export function specBytes(spec: WeightSpec): number {
  const per = spec.quantization ? QBYTES[spec.quantization.dtype] : BYTES[spec.dtype];
  return spec.shape.reduce((a, b) => a * b, 1) * per;
}

/**
 * Checks a shape from a file: a list of at most 16 non-negative integers whose product, times
 * `bytesPer`, stays within `budget` bytes. Returns the element count.
 */
export function checkShape(shape: unknown, where: string, bytesPer: number, budget: number): number {
  if (!Array.isArray(shape) || shape.length > MAX_RANK) {
    throw new ModelFileError(`${where}: shape must be a list of at most ${MAX_RANK} dimensions, got ${show(shape)}`);
  }
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > MAX_DIM) {
      throw new ModelFileError(`${where}: shape ${show(shape)} has a dimension that is not an integer in [0, ${MAX_DIM}]: ${show(d)}`);
    }
    n *= d;
    if (n * bytesPer > budget) {
      throw new ModelFileError(`${where}: shape ${show(shape)} needs more than ${budget} bytes, over the limit (option maxWeightBytes)`);
    }
  }
  return n;
}

/** Validates one spec's fields (name, dtype, shape, quantization) and returns its byte size. */
export function checkSpec(raw: unknown, where: string, budget: number): number {
  if (!isRecord(raw)) throw new ModelFileError(`${where}: expected { name, shape, dtype }, got ${show(raw)}`);
  const { name, dtype, quantization, group } = raw;
  if (typeof name !== 'string' || name.length === 0 || name.length > 4096) {
    throw new ModelFileError(`${where}: weight name must be a non-empty string, got ${show(name)}`);
  }
  if (group !== undefined && group !== null && typeof group !== 'string') {
    throw new ModelFileError(`${where}: weight '${name}' has a group that is not a string: ${show(group)}`);
  }
  if (typeof dtype !== 'string' || !(dtype in BYTES)) {
    throw new ModelFileError(`${where}: weight '${name}' has unknown dtype ${show(dtype)}; Strata reads float32, int32 and bool`);
  }
  let per = BYTES[dtype];
  if (quantization !== undefined && quantization !== null) {
    const q = quantization as Record<string, unknown>;
    if (!isRecord(q) || typeof q.dtype !== 'string' || !(q.dtype in QBYTES)) {
      throw new ModelFileError(`${where}: weight '${name}' has unknown quantization ${show(quantization)}; Strata reads uint8, uint16 and float16`);
    }
    if (q.dtype !== 'float16' && (typeof q.scale !== 'number' || typeof q.min !== 'number' || !Number.isFinite(q.scale) || !Number.isFinite(q.min))) {
      throw new ModelFileError(`${where}: weight '${name}' is quantized to ${q.dtype} without finite scale and min`);
    }
    if (dtype !== 'float32') throw new ModelFileError(`${where}: weight '${name}' is quantized but its dtype is ${dtype}, not float32`);
    per = QBYTES[q.dtype];
  }
  return checkShape(raw.shape, `${where}: weight '${name}'`, per, budget) * per;
}

/**
 * Validates a weights manifest: groups of { paths, weights }, unique names, safe relative paths,
 * and a byte total within the cap. Returns the groups with their byte sizes.
 */
export function checkManifest(raw: unknown, where: string, limits: Limits, budgetUsed = 0): { groups: WeightGroup[]; bytes: number[]; total: number } {
  if (!Array.isArray(raw)) throw new ModelFileError(`${where}: weightsManifest must be a list of { paths, weights }, got ${show(raw)}`);
  const names = new Set<string>();
  const bytes: number[] = [];
  let total = budgetUsed;
  raw.forEach((g, gi) => {
    const here = `${where} group ${gi}`;
    if (!isRecord(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights)) {
      throw new ModelFileError(`${here}: expected { paths: string[], weights: [...] }, got ${show(g)}`);
    }
    for (const p of g.paths) checkWeightPath(p, here);
    let groupBytes = 0;
    g.weights.forEach((w, wi) => {
      const b = checkSpec(w, `${here} weight ${wi}`, limits.maxWeightBytes - total);
      const name = (w as WeightSpec).name;
      if (names.has(name)) throw new ModelFileError(`${here}: weight '${name}' appears twice in the manifest`);
      names.add(name);
      total += b;
      groupBytes += b;
    });
    if (groupBytes > 0 && g.paths.length === 0) throw new ModelFileError(`${here}: the group has weights but no shard paths`);
    bytes.push(groupBytes);
  });
  return { groups: raw as WeightGroup[], bytes, total };
}

/**
 * A weight path must stay inside the model folder: relative, no '..' segment, no URL scheme, no
 * drive letter, no NUL.
 */
export function checkWeightPath(p: unknown, where: string): void {
  if (typeof p !== 'string' || p.length === 0 || p.length > 1024) {
    throw new ModelFileError(`${where}: weight path must be a non-empty string, got ${show(p)}`);
  }
  const bad = p.startsWith('/') || p.startsWith('\\') || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(p) || p.includes('\0') ||
    p.split(/[\\/]/).some((s) => s === '..') || /%2e%2e|%2f|%5c/i.test(p);
  if (bad) throw new ModelFileError(`${where}: weight path ${show(p)} leaves the model folder; paths must be relative to model.json, without '..'`);
}
