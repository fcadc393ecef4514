// st.layers: layer factories and classes. One section per area; files hold one family each.

// base and serialization
export { Layer, type LayerOptions, type CallOptions, type LayerShape } from './layer.js';
export { deserialize, serialize, registerLayer, registeredLayers, canonicalClassName, type KerasObject } from './serialization.js';

// fully connected
export * from './dense.js';
export * from './dropout.js';

// convolution and deconvolution
export { BaseConv, type BaseConvOptions, type PoolingShorthand, type DropoutShorthand } from './conv-base.js';
export * from './conv.js';
export * from './conv-transpose.js';
export * from './depthwise-conv.js';

// recurrent
export * from './recurrent.js';
export { type CellKind } from './rnn-cells.js';
export * from './rnn-cell-layers.js';
export * from './rnn-generic.js';
export * from './rnn-layers.js';
export * from './wrappers.js';
export * from './bidirectional.js';

// pooling, reshaping, resizing
export * from './pooling.js';
export * from './global-pooling.js';
export * from './reshaping.js';
export * from './upsampling.js';
export * from './padding-cropping.js';
export * from './activation-layer.js';

// image preprocessing and augmentation (Keras Rescaling, Resizing, CenterCrop, Random*)
export * from './image-preprocessing.js';
export * from './random-flip-contrast.js';
export * from './random-affine.js';

// noise, normalization, embedding, masking, merging
export * from './noise.js';
export * from './spatial-dropout.js';
export * from './normalization.js';
export * from './layer-normalization.js';
export * from './embedding.js';
export * from './masking.js';
export * from './merge.js';
export * from './merge-dot.js';

// TF.js spelling: tf.layers.input (same as st.input)
export { input } from '../model/input.js';
