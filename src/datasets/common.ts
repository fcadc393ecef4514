// st.datasets without the loaders, which read npm packages from disk (Node only, see index.ts).
export { MissingDatasetError, DatasetFormatError } from './errors.js';
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
