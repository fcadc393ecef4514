import h5wasm from 'h5wasm';
import * as st from '../src/index.js';
import { rng } from './helpers.js';

export { rng };

// Test helpers that write HDF5 files in the layouts Keras 2 uses, with h5wasm directly (so a test can
// also plant what Keras never writes: dangling links, absurd dataset shapes, missing members).

export type H5File = InstanceType<typeof h5wasm.File>;
let n = 0;

/** An HDF5 file made by `build`, as bytes. */
export async function h5Bytes(build: (f: H5File) => void): Promise<Uint8Array> {
  const mod = await h5wasm.ready;
  const name = `/test-${n++}.h5`;
  const f = new h5wasm.File(name, 'w');
  build(f);
  f.flush();
  f.close();
  const bytes = mod.FS.readFile(name);
  mod.FS.unlink(name);
  return bytes;
}

export interface Keras2Options {
  /** Split layer_names into layer_names0, layer_names1 (as Keras does for long lists). */
  split?: boolean;
  /** The first path component of each weight name, per layer (Keras 2 `conv0` holding `conv0_5/kernel:0`). */
  scope?: Record<string, string>;
  /** Only the weights (root attrs layer_names, as Keras 2 save_weights writes them). */
  weightsOnly?: boolean;
  /** Extra changes before the file is closed. */
  edit?: (f: H5File) => void;
}

/** A Keras 2 full-model (or weights-only) .h5 of a Strata model: model_config + model_weights. */
export async function keras2H5(model: st.Model, opts: Keras2Options = {}): Promise<Uint8Array> {
  const topology = { ...st.io.modelArtifacts(model).modelTopology, keras_version: '2.2.4', backend: 'tensorflow' };
  const short = (v: { name: string }, layer: string): string => v.name.startsWith(`${layer}/`) ? v.name.slice(layer.length + 1) : v.name;
  return h5Bytes((f) => {
    let root = f as unknown as ReturnType<H5File['create_group']>;
    if (!opts.weightsOnly) {
      f.create_attribute('model_config', JSON.stringify(topology));
      f.create_attribute('keras_version', '2.2.4');
      f.create_attribute('backend', 'tensorflow');
      root = f.create_group('model_weights');
    } else {
      f.create_attribute('keras_version', '2.2.4');
      f.create_attribute('backend', 'tensorflow');
    }
    const names = model.layers.map((l) => l.name);
    if (opts.split && names.length > 1) {
      const half = Math.ceil(names.length / 2);
      root.create_attribute('layer_names0', names.slice(0, half));
      root.create_attribute('layer_names1', names.slice(half));
    } else root.create_attribute('layer_names', names);
    for (const layer of model.layers) {
      const g = root.create_group(layer.name);
      const scope = opts.scope?.[layer.name] ?? layer.name;
      const ws = layer.weights;
      const wnames = ws.map((w) => `${scope}/${short(w, layer.name)}:0`);
      if (ws.length === 0) {
        g.create_attribute('weight_names', new Float64Array(0), [0]); // what Keras writes for an empty list
        continue;
      }
      g.create_attribute('weight_names', wnames);
      const sg = g.create_group(scope);
      // Datasets created in reverse: the order must come from weight_names, not the file.
      for (let i = ws.length - 1; i >= 0; i--) {
        const w = ws[i];
        const parts = `${short(w, layer.name)}:0`.split('/');
        let g2 = sg;
        for (const p of parts.slice(0, -1)) g2 = (g2.get(p) as typeof sg | null) ?? g2.create_group(p);
        g2.create_dataset({ name: parts[parts.length - 1], data: new Float32Array(w.dataSync()), shape: w.shape, dtype: '<f' });
      }
    }
    opts.edit?.(f);
  });
}

