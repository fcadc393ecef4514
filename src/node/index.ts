/**
 * Node-only helpers under the names TensorFlow.js-node gives them (`tf.node.*`): TensorBoard
 * logging. `import * as tf from 'strata'; tf.node.tensorBoard('./logs')` works as in tfjs-node.
 */
export { tensorBoard, TensorBoardCallback, type TensorBoardCallbackArgs } from '../callbacks/tensorboard.js';
export { summaryFileWriter, SummaryFileWriter } from './summary-writer.js';
