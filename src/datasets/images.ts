import { ConfigError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import type { PackageSource } from './resolve.js';
import { DatasetFormatError } from './errors.js';

/** One split of an image dataset: images [n, 28, 28, 1] float32 and labels [n] int32. */
export interface ImageSplit {
  images: Tensor;
  labels: Tensor;
}

/** A train/test image dataset, as `mnist()` and `fashionMnist()` return it. */
export interface ImageDataset {
  train: ImageSplit;
  test: ImageSplit;
}

/** Options of the 28×28 grey-scale image loaders. */
export interface ImageLoadOptions extends PackageSource {
  /**
   * Read only the first n images of each split (a number), or per split (`{ train, test }`; a split
   * left out is read whole). Only the images kept are read and decoded. Default: everything.
   */
  limit?: number | { train?: number; test?: number };
  /** Images as [n, 784] rows instead of [n, 28, 28, 1] (default false). */
  flatten?: boolean;
  /** Scale pixels to [0, 1] (default true); false keeps 0–255 as float32. */
  scale?: boolean;
}

/** The per-split image counts a `limit` option asks for (Infinity = all). */
export function splitLimits(loader: string, limit: ImageLoadOptions['limit']): { train: number; test: number } {
  const check = (v: number | undefined, name: string): number => {
    if (v === undefined) return Infinity;
    if (!Number.isInteger(v) || v < 1) throw new ConfigError(`${loader}: ${name} must be a positive integer, got ${JSON.stringify(v)}`);
    return v;
  };
  if (limit === undefined) return { train: Infinity, test: Infinity };
  if (typeof limit === 'number') return { train: check(limit, 'limit'), test: check(limit, 'limit') };
  if (typeof limit !== 'object' || limit === null) {
    throw new ConfigError(`${loader}: limit must be a positive integer or { train, test }, got ${JSON.stringify(limit)}`);
  }
  return { train: check(limit.train, 'limit.train'), test: check(limit.test, 'limit.test') };
}

/** Unsigned bytes (n images of rows × cols) → a float32 image tensor, scaled to [0, 1] when asked. */
export function bytesToImages(bytes: Uint8Array, n: number, rows: number, cols: number, opts: ImageLoadOptions): Tensor {
  const out = new Float32Array(bytes.length);
  const k = opts.scale === false ? 1 : 1 / 255;
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] * k;
  return new Tensor(out, opts.flatten ? [n, rows * cols] : [n, rows, cols, 1]);
}

/** Labels as an int32 tensor, each checked to be in [0, classes). */
export function labelTensor(what: string, bytes: Uint8Array, classes: number): Tensor {
  const out = new Int32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] >= classes) {
      throw new DatasetFormatError(`${what}: label ${i} is ${bytes[i]}, outside 0–${classes - 1}; the file is corrupt`);
    }
    out[i] = bytes[i];
  }
  return new Tensor(out, [bytes.length]);
}
