/**
 * The shapes the studio's server sends and its page draws: one file with no imports, so the page
 * (type-checked on its own, without Node's types) and the server share it.
 */

/** Pictures of one node's output for the preview: images, feature-map grids, bars and heatmaps. */
export type NodeView =
  | { kind: 'image'; shape: number[]; height: number; width: number; channels: number; data: number[]; min: number; max: number }
  | { kind: 'maps'; shape: number[]; height: number; width: number; maps: number[][]; min: number; max: number }
  | { kind: 'bars'; shape: number[]; data: number[]; min: number; max: number }
  | { kind: 'heatmap'; shape: number[]; rows: number; cols: number; data: number[]; min: number; max: number }
  | { kind: 'error'; message: string };
