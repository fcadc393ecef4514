/**
 * HDF5 through h5wasm (the HDF5 C library compiled to WebAssembly; reads and writes, Node and
 * browsers). Files live only in h5wasm's in-memory file system, under a fresh name per call, and
 * are unlinked when done. Everything read from a file is checked before it is allocated: dataset
 * shapes and byte sizes against a budget, attribute sizes against a cap, links that lead nowhere.
 * h5wasm (≈4 MB) is imported on first use, so programs that never touch Keras files do not load it.
 */
import type * as H5 from 'h5wasm';
import { ModelFileError } from '../errors.js';
import { checkShape, show } from '../validate.js';
import { halfToFloat } from '../weights.js';

type H5Lib = typeof H5.default;
type H5Module = Awaited<H5Lib['ready']>;

let loading: Promise<{ lib: H5Lib; mod: H5Module }> | null = null;
let counter = 0;

async function h5(): Promise<{ lib: H5Lib; mod: H5Module }> {
  loading ??= (async () => {
    const lib = (await import('h5wasm')).default;
    const mod = await lib.ready;
    // HDF5 errors become exceptions instead of diagnostics printed to stderr.
    mod.activate_throwing_error_handler();
    return { lib, mod };
  })();
  return loading;
}

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when `bytes` start with the HDF5 signature (at offset 0, where Keras files have it). */
export function isHdf5(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && HDF5_MAGIC.every((b, i) => bytes[i] === b);
}

/** A float32 array read from a dataset, with its shape. */
export interface H5Array {
  shape: number[];
  values: Float32Array;
}

/** A read-only view of an HDF5 file held in memory. Call `close()` when done. */
export class H5Reader {
  private constructor(private readonly lib: H5Lib, private readonly mod: H5Module, private readonly file: H5.File,
    private readonly fsName: string, readonly where: string) {}

  /** Opens `bytes` as an HDF5 file; `where` names it in messages (`model.weights.h5`). */
  static async open(bytes: Uint8Array, where: string): Promise<H5Reader> {
    if (!isHdf5(bytes)) throw new ModelFileError(`${where}: not an HDF5 file (no HDF5 signature in its first 8 bytes)`);
    const { lib, mod } = await h5();
    const fsName = `/strata-read-${process_id()}-${counter++}.h5`;
    mod.FS.writeFile(fsName, bytes);
    try {
      return new H5Reader(lib, mod, new lib.File(fsName, 'r'), fsName, where);
    } catch (e) {
      mod.FS.unlink(fsName);
      throw new ModelFileError(`${where}: HDF5 could not open the file (${firstLine(e)}); it is truncated or not HDF5`);
    }
  }

  close(): void {
    try {
      this.file.close();
    } catch {
      // already unusable: the file is dropped below all the same
    }
    try {
      this.mod.FS.unlink(this.fsName);
    } catch {
      // gone already
    }
  }

  /** The group or dataset at `path`, or null; broken and external links are refused. */
  private entity(path: string): H5.Group | H5.Dataset | null {
    let e: unknown;
    try {
      e = path === '' || path === '/' ? this.file : this.file.get(path);
    } catch (err) {
      throw new ModelFileError(`${this.where}: HDF5 could not read '${path}' (${firstLine(err)})`);
    }
    if (e === null || e === undefined) return null;
    if (e instanceof this.lib.Group || e instanceof this.lib.Dataset) return e;
    throw new ModelFileError(`${this.where}: '${path}' is a link to ${show((e as { target?: string; filename?: string }).target ??
      (e as { filename?: string }).filename ?? 'elsewhere')} that Strata does not follow (broken, external or not a group/dataset)`);
  }

  /** True when `path` names a group. */
  isGroup(path: string): boolean {
    return this.entity(path) instanceof this.lib.Group;
  }

  /** True when `path` names a dataset. */
  isDataset(path: string): boolean {
    return this.entity(path) instanceof this.lib.Dataset;
  }

  /** Member names of the group at `path` (at most `max`). */
  keys(path: string, max = 100_000): string[] {
    const g = this.entity(path);
    if (!(g instanceof this.lib.Group)) throw new ModelFileError(`${this.where}: '${path}' is not a group`);
    let keys: string[];
    try {
      keys = g.keys();
    } catch (e) {
      throw new ModelFileError(`${this.where}: the members of group '${path}' cannot be read (${firstLine(e)})`);
    }
    if (keys.length > max) throw new ModelFileError(`${this.where}: group '${path}' has ${keys.length} members, more than ${max}`);
    return keys;
  }

  /**
   * A string or list-of-strings attribute (Keras writes both as fixed or variable-length strings,
   * sometimes as bytes); undefined when absent. At most `maxChars` characters in all.
   */
  attr(path: string, name: string, maxChars: number): string | string[] | undefined {
    const owner = this.entity(path);
    if (!owner) throw new ModelFileError(`${this.where}: '${path}' does not exist`);
    let a: H5.Attribute | undefined;
    try {
      a = owner.attrs[name];
    } catch (e) {
      throw new ModelFileError(`${this.where}: attribute '${name}' of '${path || '/'}' cannot be read (${firstLine(e)})`);
    }
    if (!a) return undefined;
    const meta = a.metadata;
    const n = (meta.shape ?? []).reduce((x: number, y: number) => x * y, 1);
    if (!(n * Math.max(1, meta.size) <= maxChars * 4 + 64)) {
      throw new ModelFileError(`${this.where}: attribute '${name}' of '${path || '/'}' holds ${n} × ${meta.size} bytes, more than the ${maxChars} allowed`);
    }
    let v: unknown;
    try {
      v = a.value;
    } catch (e) {
      throw new ModelFileError(`${this.where}: attribute '${name}' of '${path || '/'}' cannot be read (${firstLine(e)})`);
    }
    if (ArrayBuffer.isView(v) && (v as unknown as { length: number }).length === 0) return []; // Keras 2 writes empty name lists as float arrays
    const text = (x: unknown): string => {
      if (typeof x === 'string') return x;
      if (x instanceof Uint8Array) return new TextDecoder().decode(x);
      throw new ModelFileError(`${this.where}: attribute '${name}' of '${path || '/'}' should hold text, got ${show(x)}`);
    };
    const out = Array.isArray(v) ? v.map(text) : text(v);
    const total = Array.isArray(out) ? out.reduce((k, s) => k + s.length, 0) : out.length;
    if (total > maxChars) throw new ModelFileError(`${this.where}: attribute '${name}' of '${path || '/'}' has ${total} characters, more than ${maxChars}`);
    return out;
  }

  /** All attribute names of `path`. */
  attrNames(path: string): string[] {
    const owner = this.entity(path);
    try {
      return owner ? Object.keys(owner.attrs) : [];
    } catch (e) {
      throw new ModelFileError(`${this.where}: the attributes of '${path || '/'}' cannot be read (${firstLine(e)})`);
    }
  }

  /**
   * The dataset at `path` as float32 (float16/float64/integers converted, bfloat16 as Keras 3
   * marks it), after checking that its shape needs at most `budget` bytes as float32.
   */
  readFloat32(path: string, budget: number): H5Array {
    const d = this.entity(path);
    if (!(d instanceof this.lib.Dataset)) throw new ModelFileError(`${this.where}: '${path}' is ${d ? 'a group' : 'missing'}, expected a dataset of weights`);
    let shape: number[] | null;
    let meta: H5.Metadata;
    try {
      shape = d.shape;
      meta = d.metadata;
    } catch (e) {
      throw new ModelFileError(`${this.where}: dataset '${path}' cannot be read (${firstLine(e)})`);
    }
    if (shape === null) throw new ModelFileError(`${this.where}: dataset '${path}' has no shape (a null dataspace)`);
    const n = checkShape(shape, `${this.where}: dataset '${path}'`, 4, budget);
    // h5wasm types: 0 integer, 1 float. Anything else (strings, compounds, references) is not a weight.
    if (!(meta.type === 0 || meta.type === 1) || ![1, 2, 4, 8].includes(meta.size) || meta.vlen) {
      throw new ModelFileError(`${this.where}: dataset '${path}' has type ${describeType(meta)}; weights must be numbers`);
    }
    let raw: unknown;
    try {
      raw = d.value;
    } catch (e) {
      throw new ModelFileError(`${this.where}: dataset '${path}' cannot be read (${firstLine(e)})`);
    }
    const values = new Float32Array(n);
    const bf16 = this.bfloat16(d);
    if (meta.type === 1 && meta.size === 2 && raw instanceof Uint16Array) {
      const u = raw;
      if (u.length !== n) throw new ModelFileError(`${this.where}: dataset '${path}' gave ${u.length} values for shape ${show(shape)}`);
      for (let i = 0; i < n; i++) values[i] = halfToFloat(u[i]);
    } else if (typeof raw === 'number' || typeof raw === 'bigint') {
      if (n !== 1) throw new ModelFileError(`${this.where}: dataset '${path}' gave one value for shape ${show(shape)}`);
      values[0] = Number(raw);
    } else if (ArrayBuffer.isView(raw) && (raw as unknown as { length: number }).length === n) {
      const src = raw as unknown as ArrayLike<number | bigint>;
      if (bf16) {
        const u32 = new Uint32Array(values.buffer);
        for (let i = 0; i < n; i++) u32[i] = Number(src[i]) << 16;
      } else {
        for (let i = 0; i < n; i++) values[i] = Number(src[i]);
      }
    } else {
      throw new ModelFileError(`${this.where}: dataset '${path}' did not read as ${n} numbers for shape ${show(shape)}`);
    }
    return { shape, values };
  }

  private bfloat16(d: H5.Dataset): boolean {
    try {
      const a = d.attrs.dtype;
      return a !== undefined && a.value === 'bfloat16';
    } catch {
      return false;
    }
  }
}

/** One group to write: its path, string attributes and float32 datasets (in order). */
export interface H5GroupSpec {
  path: string;
  attrs?: Record<string, string | string[]>;
  datasets?: { name: string; shape: number[]; values: Float32Array }[];
}

/** Writes the groups (parents created as needed, in the order given) to HDF5 bytes. */
export async function writeHdf5(groups: H5GroupSpec[]): Promise<Uint8Array> {
  const { lib, mod } = await h5();
  const fsName = `/strata-write-${process_id()}-${counter++}.h5`;
  const file = new lib.File(fsName, 'w');
  try {
    const made = new Set<string>(['']);
    const ensure = (path: string): H5.Group => {
      const parts = path.split('/').filter((p) => p.length);
      let cur = '';
      for (const p of parts) {
        const next = cur ? `${cur}/${p}` : p;
        if (!made.has(next)) {
          (cur ? (file.get(cur) as H5.Group) : file).create_group(p);
          made.add(next);
        }
        cur = next;
      }
      return cur ? (file.get(cur) as H5.Group) : file;
    };
    for (const g of groups) {
      const group = ensure(g.path);
      for (const [k, v] of Object.entries(g.attrs ?? {})) group.create_attribute(k, v);
      for (const d of g.datasets ?? []) {
        // A scalar is written with shape [] (h5wasm takes null for a scalar dataspace).
        group.create_dataset({ name: d.name, data: d.values, shape: d.shape.length ? d.shape : null, dtype: '<f' });
      }
    }
    file.flush();
    file.close();
    return mod.FS.readFile(fsName);
  } finally {
    try {
      mod.FS.unlink(fsName);
    } catch {
      // nothing to remove
    }
  }
}

function process_id(): string {
  return Math.random().toString(36).slice(2, 10);
}

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  const lines = m.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('HDF5-DIAG'));
  const s = lines[0] ?? m;
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}

function describeType(meta: H5.Metadata): string {
  const names: Record<number, string> = { 0: 'integer', 1: 'float', 2: 'time', 3: 'string', 4: 'bitfield', 5: 'opaque', 6: 'compound', 7: 'reference', 8: 'enum', 9: 'vlen', 10: 'array' };
  return `${names[meta.type] ?? `#${meta.type}`} of ${meta.size} bytes${meta.vlen ? ' (variable length)' : ''}`;
}

