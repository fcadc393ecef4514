// st.data without the Node-only readers of folders and image files (see index.ts).
export { Dataset, type ShuffleSeed } from './dataset.js';
export { DataIterator } from './iterator.js';
export { array, generator, func, zip, type DatasetContainer } from './sources.js';
export { csv, CSVDataset, type CSVConfig, type ColumnConfig, type CSVRecord } from './csv.js';
export type { TextSource } from './text-source.js';
