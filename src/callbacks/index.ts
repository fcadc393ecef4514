// st.callbacks in Node: the platform-neutral ones (common.ts) and those that write files.
export * from './common.js';
export { CSVLogger } from './csv-logger.js';
import { CSVLogger } from './csv-logger.js';

/** Logs epoch results to a CSV file (Node). */
export const csvLogger = (filename: string, opts: { separator?: string; append?: boolean } = {}): CSVLogger => new CSVLogger(filename, opts);
export { tensorBoard, TensorBoardCallback, type TensorBoardCallbackArgs } from './tensorboard.js';
