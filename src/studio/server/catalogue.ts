/**
 * The layers the studio's palette offers, each hyperparameter named in the words people use
 * ("number of neurons", "patch size", "feature maps"), with the st.layers option it sets. A node's
 * `type` is the st.layers factory name, so a graph maps to Strata calls one to one.
 */

/** How a hyperparameter is edited. */
export type ParamKind = 'int' | 'number' | 'choice' | 'bool' | 'ints' | 'intOrInts';

export interface ParamInfo {
  /** The st.layers option, camelCase. */
  key: string;
  /** Its name in people's words. */
  label: string;
  kind: ParamKind;
  /** The value a new node gets (absent: the layer's own default, the option is left out). */
  default?: unknown;
  choices?: string[];
  help?: string;
}

export interface LayerInfo {
  /** The st.layers factory (also the node's type). */
  type: string;
  label: string;
  family: 'input' | 'dense' | 'convolution' | 'transposed convolution' | 'recurrent' | 'pooling' | 'regularisation' | 'reshaping' | 'embedding' | 'normalisation' | 'merge';
  /** Merge layers take two or more inputs; input nodes none; the rest one. */
  inputs: 'none' | 'one' | 'many';
  params: ParamInfo[];
  /** Types this node can switch to with one setting (cell type, pooling kind), and that setting's name. */
  variants?: { label: string; types: string[] };
}

const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'softplus', 'softsign', 'relu6', 'swish', 'gelu', 'hardSigmoid'];
const activation = (d: string): ParamInfo => ({ key: 'activation', label: 'activation', kind: 'choice', choices: ACTIVATIONS, default: d });
const padding: ParamInfo = { key: 'padding', label: 'padding', kind: 'choice', choices: ['valid', 'same'], default: 'valid', help: "'same' keeps the size (at stride 1), 'valid' only looks where the patch fits" };
const useBias: ParamInfo = { key: 'useBias', label: 'use a bias', kind: 'bool', default: true };

function conv(rank: 1 | 2 | 3, transposed: boolean): LayerInfo {
  const type = transposed ? `conv${rank}dTranspose` : `conv${rank}d`;
  return {
    type, label: `${transposed ? 'Transposed conv' : 'Conv'} ${rank}D`, family: transposed ? 'transposed convolution' : 'convolution', inputs: 'one',
    params: [
      { key: 'filters', label: 'feature maps', kind: 'int', default: rank === 3 ? 8 : 16, help: 'filters, one output channel each' },
      { key: 'kernelSize', label: 'patch size', kind: 'intOrInts', default: 3, help: 'the window each filter sees; one number or one per dimension' },
      { key: 'strides', label: 'stride', kind: 'intOrInts', default: transposed ? 2 : 1, help: transposed ? 'how much the output grows per step' : 'step between patches' },
      padding, activation('relu'), useBias,
    ],
  };
}

function recurrent(type: string, label: string): LayerInfo {
  return {
    type, label, family: 'recurrent', inputs: 'one', variants: { label: 'cell type', types: ['simpleRNN', 'lstm', 'gru'] },
    params: [
      { key: 'units', label: 'dimensionality (state size)', kind: 'int', default: 32 },
      { key: 'returnSequences', label: 'return sequences', kind: 'bool', default: false, help: 'output every step (for stacking another recurrent layer) or only the last' },
      activation('tanh'), useBias,
    ],
  };
}

function pooling(kind: 'max' | 'average', rank: 1 | 2 | 3): LayerInfo {
  return {
    type: `${kind}Pooling${rank}d`, label: `${kind === 'max' ? 'Max' : 'Average'} pooling ${rank}D`, family: 'pooling', inputs: 'one',
    variants: { label: 'pooling', types: [`maxPooling${rank}d`, `averagePooling${rank}d`] },
    params: [
      { key: 'poolSize', label: 'pool size', kind: 'intOrInts', default: 2 },
      { key: 'strides', label: 'stride', kind: 'intOrInts', help: 'default: the pool size' },
      padding,
    ],
  };
}

const merge = (type: string, label: string, params: ParamInfo[] = []): LayerInfo => ({ type, label, family: 'merge', inputs: 'many', params });

/** The palette, in display order. */
export const CATALOGUE: LayerInfo[] = [
  { type: 'input', label: 'Input', family: 'input', inputs: 'none', params: [
    { key: 'shape', label: 'sample shape', kind: 'ints', default: [28, 28, 1], help: 'one sample, no batch dimension; the dataset sets it when you pick one' },
  ] },
  { type: 'dense', label: 'Dense', family: 'dense', inputs: 'one', params: [
    { key: 'units', label: 'number of neurons', kind: 'int', default: 64 }, activation('relu'), useBias,
  ] },
  conv(1, false), conv(2, false), conv(3, false),
  conv(1, true), conv(2, true), conv(3, true),
  recurrent('simpleRNN', 'SimpleRNN'), recurrent('lstm', 'LSTM'), recurrent('gru', 'GRU'),
  pooling('max', 1), pooling('max', 2), pooling('max', 3), pooling('average', 1), pooling('average', 2), pooling('average', 3),
  { type: 'globalAveragePooling2d', label: 'Global average pooling 2D', family: 'pooling', inputs: 'one', params: [], variants: { label: 'pooling', types: ['globalMaxPooling2d', 'globalAveragePooling2d'] } },
  { type: 'globalMaxPooling2d', label: 'Global max pooling 2D', family: 'pooling', inputs: 'one', params: [], variants: { label: 'pooling', types: ['globalMaxPooling2d', 'globalAveragePooling2d'] } },
  { type: 'dropout', label: 'Dropout', family: 'regularisation', inputs: 'one', params: [
    { key: 'rate', label: 'dropout (fraction dropped)', kind: 'number', default: 0.25 },
  ] },
  { type: 'flatten', label: 'Flatten', family: 'reshaping', inputs: 'one', params: [] },
  { type: 'reshape', label: 'Reshape', family: 'reshaping', inputs: 'one', params: [
    { key: 'targetShape', label: 'new shape', kind: 'ints', default: [-1], help: 'per sample; one -1 takes what is left' },
  ] },
  { type: 'embedding', label: 'Embedding', family: 'embedding', inputs: 'one', params: [
    { key: 'inputDim', label: 'vocabulary size', kind: 'int', default: 1000 },
    { key: 'outputDim', label: 'dimensionality (vector size)', kind: 'int', default: 32 },
    { key: 'maskZero', label: 'index 0 is padding', kind: 'bool', default: false },
  ] },
  { type: 'batchNormalization', label: 'Batch normalization', family: 'normalisation', inputs: 'one', params: [
    { key: 'momentum', label: 'momentum of the moving averages', kind: 'number', default: 0.99 },
    { key: 'epsilon', label: 'epsilon', kind: 'number', default: 0.001 },
  ] },
  merge('add', 'Add'), merge('subtract', 'Subtract'), merge('multiply', 'Multiply'), merge('average', 'Average'),
  merge('maximum', 'Maximum'), merge('minimum', 'Minimum'),
  merge('concatenate', 'Concatenate', [{ key: 'axis', label: 'axis', kind: 'int', default: -1 }]),
];

const BY_TYPE = new Map(CATALOGUE.map((l) => [l.type, l]));

/** The palette entry of a node type, or undefined. */
export function layerInfo(type: string): LayerInfo | undefined {
  return BY_TYPE.get(type);
}

/** The parameters a new node of `type` starts with. */
export function defaultParams(type: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of layerInfo(type)?.params ?? []) if (p.default !== undefined) out[p.key] = p.default;
  return out;
}
