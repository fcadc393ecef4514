/**
 * tf.data on Strata: lazy, streaming datasets with TensorFlow.js's API and semantics, for
 * `model.fitDataset` or any loop. (`st.datasets` holds the built-in datasets.)
 * @example
 * const ds = st.data.zip({ xs: st.data.array(features), ys: st.data.array(labels) }).shuffle(100, 1).batch(32);
 * await model.fitDataset(ds, { epochs: 10 });
 */
export { Dataset, type ShuffleSeed } from './dataset.js';
export { DataIterator } from './iterator.js';
export { array, generator, func, zip, type DatasetContainer } from './sources.js';
export { csv, CSVDataset, type CSVConfig, type ColumnConfig, type CSVRecord } from './csv.js';
export type { TextSource } from './text-source.js';
