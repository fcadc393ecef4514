// The `dataFormat` option of the spatial layers (convolutions, pooling, upsampling, padding,
// cropping). Strata's kernels are channels-last; a channels-first layer moves the channels axis
// last before its kernel and back after, through the differentiable transpose op, so gradients
// come for free. (A native channels-first kernel could save the two transposes later.)
import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { transpose } from '../ops/index.js';

/** Where the channels axis is: last ([batch, ...spatial, channels], the default) or first after the batch. */
export type DataFormat = 'channelsFirst' | 'channelsLast';

/**
 * Reads a `dataFormat` option in the TensorFlow.js ('channelsFirst') or Keras ('channels_first')
 * spelling; undefined and null mean channels-last (Keras's default image_data_format).
 */
export function readDataFormat(where: string, v: unknown): DataFormat {
  if (v === undefined || v === null || v === 'channelsLast' || v === 'channels_last') return 'channelsLast';
  if (v === 'channelsFirst' || v === 'channels_first') return 'channelsFirst';
  throw new ConfigError(`${where}: dataFormat must be 'channelsLast' or 'channelsFirst' ('channels_last' / 'channels_first' ` +
    `in Keras files), got ${JSON.stringify(v)}`);
}

/** The Keras spelling a config holds (what TensorFlow.js and Keras files carry). */
export function dataFormatConfig(f: DataFormat): 'channels_first' | 'channels_last' {
  return f === 'channelsFirst' ? 'channels_first' : 'channels_last';
}

/** [batch, c, ...spatial] → [batch, ...spatial, c], for shapes (unknown dims as null). */
export function shapeToLast<T>(shape: readonly T[]): T[] {
  return [shape[0], ...shape.slice(2), shape[1]];
}

/** [batch, ...spatial, c] → [batch, c, ...spatial], for shapes. */
export function shapeToFirst<T>(shape: readonly T[]): T[] {
  return [shape[0], shape[shape.length - 1], ...shape.slice(1, -1)];
}

/** Moves the channels axis of a channels-first tensor last. */
export function toChannelsLast(x: Tensor): Tensor {
  return transpose(x, [0, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 2), 1]);
}

/** Moves the channels axis of a channels-last tensor first (after the batch). */
export function toChannelsFirst(x: Tensor): Tensor {
  return transpose(x, [0, x.rank - 1, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 1)]);
}

/** The layout an error message shows for `rank` spatial dims. */
export function layoutOf(rank: number, f: DataFormat, spatialNames?: string[]): string {
  const names = spatialNames ?? (rank === 1 ? ['width'] : rank === 2 ? ['height', 'width'] : ['depth', 'height', 'width']);
  return f === 'channelsFirst' ? `[batch, channels, ${names.join(', ')}]` : `[batch, ${names.join(', ')}, channels]`;
}
