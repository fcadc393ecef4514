/**
 * Where Keras 3 keeps each layer's variables in `model.weights.h5` (keras/src/saving/saving_lib.py):
 * a model's layers are a container, so each is stored under `layers/<snake_case class name>`, the
 * second of a class as `_1`, the third `_2`, ... — by class and position, never by layer name.
 * Inside, `vars/0`, `vars/1`, ... are the layer's own variables (trainable, then non-trainable: the
 * Keras weight order). Sub-objects sit under the attribute that holds them: a recurrent layer's
 * variables under `cell/vars`, Bidirectional's under `forward_layer/cell` and `backward_layer/cell`,
 * TimeDistributed's under `layer`, a nested model's under its own `layers/...`.
 */
import { isRecord } from '../validate.js';

/** One saveable object: its group path (without `/vars`), its name, and whether it owns variables. */
export interface VarNode {
  path: string;
  name: string;
  holdsVars: boolean;
}

/** The saveables of one leaf layer of the topology, in weight order. */
export interface LayerVars {
  layerName: string;
  className: string;
  nodes: VarNode[];
}

const RNN_CELLS: Record<string, string> = { SimpleRNN: 'simple_rnn_cell', LSTM: 'lstm_cell', GRU: 'gru_cell' };
const MODELS = new Set(['Sequential', 'Functional', 'Model']);

/** keras.src.utils.naming.to_snake_case: 'Conv2D' → 'conv2d', 'BatchNormalization' → 'batch_normalization'. */
export function toKerasSnakeCase(name: string): string {
  let s = name.replace(/\W+/g, '');
  s = s.replace(/(.)([A-Z][a-z]+)/g, '$1_$2');
  return s.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * The variable layout of a Keras topology `{ class_name, config }` (Keras 2, 3 or Strata's): one
 * entry per leaf layer, nested models opened. The model itself is a saveable too (root `vars`).
 */
export function kerasVarLayout(topology: { class_name: string; config: unknown }): { root: VarNode[]; layers: LayerVars[] } {
  const root: VarNode[] = [{ path: '', name: nameOf(topology.config) ?? topology.class_name.toLowerCase(), holdsVars: false }];
  const layers: LayerVars[] = [];
  walkModel(topology.class_name, topology.config, '', root, layers);
  return { root, layers };
}

function nameOf(config: unknown): string | undefined {
  return isRecord(config) && typeof config.name === 'string' ? config.name : undefined;
}

function walkModel(cls: string, config: unknown, prefix: string, models: VarNode[], out: LayerVars[]): void {
  const list = Array.isArray(config) ? config : isRecord(config) && Array.isArray(config.layers) ? config.layers : [];
  const used = new Map<string, number>();
  for (const entry of list) {
    if (!isRecord(entry) || typeof entry.class_name !== 'string') continue;
    const c = entry.class_name;
    // Sequential.layers leaves out its InputLayer; Functional.layers keeps it.
    if (c === 'InputLayer' && cls === 'Sequential') continue;
    const snake = toKerasSnakeCase(c);
    const k = used.get(snake);
    used.set(snake, k === undefined ? 0 : k + 1);
    const path = `${prefix}layers/${k === undefined ? snake : `${snake}_${k + 1}`}`;
    const name = nameOf(entry.config) ?? (typeof entry.name === 'string' ? entry.name : snake);
    if (MODELS.has(c)) {
      models.push({ path, name, holdsVars: false });
      walkModel(c, entry.config, `${path}/`, models, out);
    } else {
      out.push({ layerName: name, className: c, nodes: layerNodes(c, entry.config, path, name) });
    }
  }
}

function layerNodes(cls: string, config: unknown, path: string, name: string): VarNode[] {
  const cfg = isRecord(config) ? config : {};
  if (RNN_CELLS[cls]) return [{ path, name, holdsVars: false }, { path: `${path}/cell`, name: RNN_CELLS[cls], holdsVars: true }];
  if (cls === 'Bidirectional') {
    const inner = isRecord(cfg.layer) ? cfg.layer : {};
    const innerCls = typeof inner.class_name === 'string' ? inner.class_name : 'LSTM';
    const innerName = nameOf(inner.config) ?? toKerasSnakeCase(innerCls);
    return [
      { path, name, holdsVars: false },
      ...layerNodes(innerCls, inner.config, `${path}/forward_layer`, `forward_${innerName}`),
      ...layerNodes(innerCls, inner.config, `${path}/backward_layer`, `backward_${innerName}`),
    ];
  }
  if (cls === 'TimeDistributed') {
    const inner = isRecord(cfg.layer) ? cfg.layer : {};
    const innerCls = typeof inner.class_name === 'string' ? inner.class_name : '';
    return [{ path, name, holdsVars: false }, ...layerNodes(innerCls, inner.config, `${path}/layer`, nameOf(inner.config) ?? toKerasSnakeCase(innerCls))];
  }
  return [{ path, name, holdsVars: true }];
}
