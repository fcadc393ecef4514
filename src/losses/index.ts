import { ConfigError } from '../errors.js';
import {
  type LossFn, binaryCrossentropy, categoricalCrossentropy, categoricalHinge, cosineSimilarity, hinge, huber,
  kullbackLeiblerDivergence, logCosh, meanAbsoluteError, meanAbsolutePercentageError, meanSquaredError,
  meanSquaredLogarithmicError, poisson, sparseCategoricalCrossentropy, squaredHinge,
} from './losses.js';

export * from './losses.js';
// TF.js core losses (tf.losses.*: weighted, reduced to a scalar by default); compile does not use them.
export {
  Reduction, computeWeightedLoss, absoluteDifference, cosineDistance, hingeLoss, huberLoss, logLoss,
  sigmoidCrossEntropy, softmaxCrossEntropy,
} from '../compat/core-losses.js';

const TABLE: Record<string, LossFn> = {
  meanSquaredError, meanAbsoluteError, meanAbsolutePercentageError, meanSquaredLogarithmicError,
  huber: (t, p) => huber(t, p), logCosh, binaryCrossentropy: (t, p) => binaryCrossentropy(t, p),
  categoricalCrossentropy: (t, p) => categoricalCrossentropy(t, p),
  sparseCategoricalCrossentropy: (t, p) => sparseCategoricalCrossentropy(t, p),
  kullbackLeiblerDivergence, poisson, hinge, squaredHinge, categoricalHinge, cosineSimilarity,
};

// Short names and Keras/TensorFlow.js spellings ('mse', 'mean_squared_error', 'kld', ...).
const ALIASES: Record<string, string> = {
  mse: 'meanSquaredError', mae: 'meanAbsoluteError', mape: 'meanAbsolutePercentageError', msle: 'meanSquaredLogarithmicError',
  kld: 'kullbackLeiblerDivergence', kldivergence: 'kullbackLeiblerDivergence', huberloss: 'huber', logcosh: 'logCosh',
  cosineproximity: 'cosineSimilarity',
};

/** Names `getLoss` knows. */
export const LOSS_NAMES = Object.keys(TABLE);

/** A loss by name (camelCase, snake_case or short: 'mse', 'categorical_crossentropy') or a function (custom loss). */
export function getLoss(id: string | LossFn, where = 'loss'): LossFn {
  if (typeof id === 'function') return id;
  if (typeof id === 'string') {
    const key = id.replace(/_/g, '').toLowerCase();
    const name = ALIASES[key] ?? LOSS_NAMES.find((n) => n.toLowerCase() === key);
    if (name) return TABLE[name];
  }
  throw new ConfigError(`${where}: unknown loss ${JSON.stringify(id)}; use one of ${LOSS_NAMES.join(', ')}, a short name (mse, mae, ...) or a function (yTrue, yPred) => Tensor`);
}
