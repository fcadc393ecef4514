import { ConfigError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/create.js';
import { array } from './sources.js';
import { mapStage, prefetchStage, rowsStage } from './stages.js';
import { type DirectoryOptions, DirectoryDataset, type FileSubset, type LabelMode, checkDirectoryOptions, indexDirectory, splitIndex } from './directory-index.js';
import { type DecodeSpec, type ReadImageOptions, decodeImageFile, decodeSpec } from './image-decode.js';

/** The extensions indexed: Keras' list (bmp, gif, jpeg, jpg, png) and WebP, which sharp also reads. */
export const IMAGE_EXTENSIONS = ['.bmp', '.gif', '.jpeg', '.jpg', '.png', '.webp'] as const;

/** Options of `data.imageDatasetFromDirectory` (Keras 3's image_dataset_from_directory). */
export interface ImageDirectoryOptions extends DirectoryOptions, ReadImageOptions {
  /** [height, width] every image is resized to (default [256, 256]). */
  imageSize?: [number, number] | number;
}

/** A batch, or an element when batchSize is null: images alone when labelMode is null. */
export type ImageElement = { xs: Tensor; ys: Tensor } | Tensor;

/** Labels of these rows as Keras encodes them. */
export function labelTensor(ids: Int32Array, mode: Exclude<LabelMode, null>, classes: number, batched: boolean): Tensor {
  const n = ids.length;
  if (mode === 'int') return tensor(ids, batched ? [n] : []);
  if (mode === 'binary') return tensor(Float32Array.from(ids), batched ? [n, 1] : [1]);
  const hot = new Float32Array(n * classes);
  ids.forEach((c, i) => (hot[i * classes + c] = 1));
  return tensor(hot, batched ? [n, classes] : [classes]);
}

async function imageRows(sub: FileSubset, rows: number[], spec: DecodeSpec, batched: boolean): Promise<Tensor> {
  const [h, w] = spec.size!;
  const per = h * w * spec.channels;
  const out = new Float32Array(rows.length * per);
  // The rows of a batch are decoded together: libvips works on them in its own threads.
  const images = await Promise.all(rows.map((r) => decodeImageFile(sub.paths[r], spec)));
  images.forEach((img, i) => out.set(img.pixels, i * per));
  return tensor(out, batched ? [rows.length, h, w, spec.channels] : [h, w, spec.channels]);
}

function subsetDataset(sub: FileSubset, o: ReturnType<typeof checkDirectoryOptions>, spec: DecodeSpec,
  classNames: string[] | null, shuffle: boolean): DirectoryDataset<ImageElement> {
  const n = sub.paths.length;
  let rows = array(Array.from({ length: n }, (_, i) => i));
  // Keras shuffles the file order again on every pass, through a buffer of 8 batches.
  if (shuffle) rows = rows.shuffle(o.batchSize === null ? 1024 : o.batchSize * 8, o.seed);
  const bs = o.batchSize;
  const element = async (ids: number[]): Promise<ImageElement> => {
    const xs = await imageRows(sub, ids, spec, bs !== null);
    if (o.labelMode === null) return xs;
    return { xs, ys: labelTensor(Int32Array.from(ids, (i) => sub.labels![i]), o.labelMode, classNames!.length, bs !== null) };
  };
  const size = bs === null ? n : Math.ceil(n / bs);
  return new DirectoryDataset(async () => {
    const it = await rows.iterator();
    const groups = bs === null ? mapStage(it, (i) => [i]) : rowsStage(it, bs, true);
    // One batch is decoded ahead while the model trains on the current one.
    return prefetchStage(mapStage(groups, element), 2);
  }, size, classNames, sub.paths);
}

/**
 * A dataset of the images in a folder with one sub-folder per class, as Keras 3's
 * `image_dataset_from_directory`: batches `{ xs: [b, h, w, c] float32 in 0–255, ys }` decoded
 * lazily, batch by batch (so a folder larger than memory trains), with `.classNames` (the sorted
 * sub-folder names) and `.filePaths`. Reads JPEG, PNG (any bit depth, interlaced), WebP, GIF
 * (first frame) and BMP through sharp (libvips). Node only.
 *
 * Options: imageSize ([256, 256]), colorMode ('rgb'), batchSize (32; null for single images),
 * validationSplit + subset ('training' | 'validation' | 'both', which returns [training,
 * validation]) + seed (required when shuffling a split), shuffle (true), labelMode ('int' →
 * int32 [b], 'categorical' → one-hot [b, classes], 'binary' → float32 [b, 1], null → images only),
 * classNames (a subset of the sub-folders, in the order wanted), interpolation ('bilinear'),
 * cropToAspectRatio (false). A file that cannot be decoded fails its batch with an error naming it.
 * @example
 * const [train, val] = await st.data.imageDatasetFromDirectory('photos/', {
 *   imageSize: [64, 64], validationSplit: 0.2, subset: 'both', seed: 1 });
 * await model.fitDataset(train.map(({ xs, ys }) => ({ xs: st.div(xs, 255), ys })), { epochs: 5, validationData: val });
 */
export async function imageDatasetFromDirectory(dir: string, options: ImageDirectoryOptions & { subset: 'both' }): Promise<[DirectoryDataset<ImageElement>, DirectoryDataset<ImageElement>]>;
export async function imageDatasetFromDirectory(dir: string, options?: ImageDirectoryOptions): Promise<DirectoryDataset<ImageElement>>;
export async function imageDatasetFromDirectory(dir: string, options: ImageDirectoryOptions = {}):
  Promise<DirectoryDataset<ImageElement> | [DirectoryDataset<ImageElement>, DirectoryDataset<ImageElement>]> {
  const where = 'data.imageDatasetFromDirectory';
  if (typeof dir !== 'string') throw new ConfigError(`${where}: expected a folder path, got ${typeof dir}`);
  const o = checkDirectoryOptions(options, where);
  const spec = decodeSpec(options, where, [256, 256]);
  const index = await indexDirectory(dir, IMAGE_EXTENSIONS, o.labelMode !== null, options.classNames, where);
  if (o.labelMode === 'binary' && index.classNames!.length !== 2) {
    throw new ConfigError(`${where}: labelMode 'binary' needs exactly 2 classes, found ${index.classNames!.length} (${index.classNames!.join(', ')}); use 'int' or 'categorical'`);
  }
  if (index.paths.length === 0) throw new ConfigError(`${where}: no images in '${dir}' (extensions read: ${IMAGE_EXTENSIONS.join(', ')})`);
  const subsets = splitIndex(index.paths, index.labels, o, where, dir);
  if (o.subset === 'both') {
    return [subsetDataset(subsets[0], o, spec, index.classNames, o.shuffle), subsetDataset(subsets[1], o, spec, index.classNames, false)];
  }
  return subsetDataset(subsets[0], o, spec, index.classNames, o.shuffle);
}
