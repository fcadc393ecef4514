/**
 * `model.save('x.keras')`: a Keras 3 archive as keras/src/saving/saving_lib.py writes it —
 * metadata.json ({ keras_version, date_saved }), config.json (the model as Keras 3 serializes it),
 * model.weights.h5 (each saveable's `vars` group, with a `name` attribute, the variables `0`, `1`,
 * ... under the path that class and position give). Writing the file is Node only.
 */
import { ConfigError } from '../../errors.js';
import type { Model } from '../../model/model.js';
import { ModelFileError } from '../errors.js';
import { modelToTopology, weightOwners } from '../../model/topology.js';
import { type H5GroupSpec, writeHdf5 } from './hdf5.js';
import { toKeras3Config } from './keras-config.js';
import { kerasVarLayout } from './keras3-vars.js';
import { writeKerasArchive } from './zip.js';

/** The Keras version whose .keras layout Strata writes (metadata.json's keras_version). */
export const KERAS_FORMAT_VERSION = '3.0.0';

/**
 * The bytes of a Keras 3 `.keras` archive of `model` (weights as float32). Refuses, naming the
 * layer, what Keras 3 cannot express the same way (Keras 2's hard_sigmoid, ...).
 * @example const bytes = await kerasArchiveBytes(model); // then write it anywhere
 */
export async function kerasArchiveBytes(model: Model): Promise<Uint8Array> {
  if (!model.built || model.inputShapes === null) {
    throw new ConfigError(`${model.describe()}.save: the model is not built yet; give the first layer an inputShape or run it once before saving`);
  }
  const config = toKeras3Config(modelToTopology(model));
  const layout = kerasVarLayout(config as { class_name: string; config: unknown });
  const owners = new Map(weightOwners(model).map((o) => [o.layer.name, o]));
  const groups: H5GroupSpec[] = layout.root.map((n) => ({ path: n.path ? `${n.path}/vars` : 'vars', attrs: { name: n.name } }));
  for (const layer of layout.layers) {
    const owner = owners.get(layer.layerName);
    owners.delete(layer.layerName);
    const weights = owner?.weights ?? [];
    const holders = layer.nodes.filter((n) => n.holdsVars).length;
    if (holders === 0 ? weights.length > 0 : weights.length % holders !== 0) {
      throw new ModelFileError(`save .keras: ${layer.className} '${layer.layerName}' has ${weights.length} weights that do not split ` +
        `over its ${holders} Keras variable groups`);
    }
    const per = holders ? weights.length / holders : 0;
    let k = 0;
    for (const node of layer.nodes) {
      const g: H5GroupSpec = { path: `${node.path}/vars`, attrs: { name: node.name }, datasets: [] };
      if (node.holdsVars) {
        for (let i = 0; i < per; i++, k++) {
          const w = weights[k];
          const v = w.dataSync();
          g.datasets!.push({ name: String(i), shape: w.shape.slice(), values: v instanceof Float32Array ? v.slice() : Float32Array.from(v) });
        }
      }
      groups.push(g);
    }
  }
  const left = [...owners.values()];
  if (left.length) throw new ModelFileError(`save .keras: layer '${left[0].layer.name}' (${left[0].layer.className}) has weights but no place in the Keras layout`);
  const weightsH5 = await writeHdf5(groups);
  const metadata = JSON.stringify({ keras_version: KERAS_FORMAT_VERSION, date_saved: dateSaved(new Date()) });
  return writeKerasArchive(metadata, JSON.stringify(config), weightsH5);
}

function dateSaved(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}@${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
