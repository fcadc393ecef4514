/**
 * tf.data on Strata: lazy, streaming datasets with TensorFlow.js's API and semantics, for
 * `model.fitDataset` or any loop. (`st.datasets` holds the built-in datasets.)
 * @example
 * const ds = st.data.zip({ xs: st.data.array(features), ys: st.data.array(labels) }).shuffle(100, 1).batch(32);
 * await model.fitDataset(ds, { epochs: 10 });
 */
export * from './common.js';
// Node only: folders of files, and images decoded with sharp.
export { imageDatasetFromDirectory, IMAGE_EXTENSIONS, type ImageDirectoryOptions, type ImageElement } from './image-directory.js';
export { textDatasetFromDirectory, type TextDirectoryOptions, type TextElement } from './text-directory.js';
export { DirectoryDataset, type DirectoryOptions, type LabelMode, type Subset } from './directory-index.js';
export { readImage, type ReadImageOptions, type ColorMode, type Interpolation } from './image-decode.js';
