// st.callbacks without the ones that write files (CSVLogger, TensorBoard: Node only, see index.ts).
export { Callback, CallbackList, History, type CallbackHooks, type Logs, type TrainingParams } from './callback.js';
export {
  EarlyStopping, ReduceLROnPlateau, LearningRateScheduler, TerminateOnNaN, ModelCheckpoint,
  type EarlyStoppingOptions, type ReduceLROnPlateauOptions, type ModelCheckpointOptions,
} from './builtin.js';
import {
  EarlyStopping, ReduceLROnPlateau, LearningRateScheduler, TerminateOnNaN, ModelCheckpoint,
  type EarlyStoppingOptions, type ReduceLROnPlateauOptions, type ModelCheckpointOptions,
} from './builtin.js';

/** Stops training when a monitored value stops improving. */
export const earlyStopping = (opts: EarlyStoppingOptions = {}): EarlyStopping => new EarlyStopping(opts);
/** Reduces the learning rate when a monitored value plateaus. */
export const reduceLROnPlateau = (opts: ReduceLROnPlateauOptions = {}): ReduceLROnPlateau => new ReduceLROnPlateau(opts);
/** Sets the learning rate per epoch from a function. */
export const learningRateScheduler = (schedule: (epoch: number, lr: number) => number): LearningRateScheduler => new LearningRateScheduler(schedule);
/** Stops on a NaN or infinite loss (fit adds one by default). */
export const terminateOnNaN = (): TerminateOnNaN => new TerminateOnNaN();
/** Saves the model after epochs (optionally only the best); in a browser to 'indexeddb://name' and the like. */
export const modelCheckpoint = (filepath: string, opts: ModelCheckpointOptions = {}): ModelCheckpoint => new ModelCheckpoint(filepath, opts);
