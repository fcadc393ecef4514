import type { NodeView } from '../../src/studio/protocol.js';

export type { NodeView };

const grey = (v: number, lo: number, hi: number) => Math.round(255 * (hi > lo ? (v - lo) / (hi - lo) : 0));

/** A blue–white–red colour for heatmaps and confusion matrices (t in [0, 1]). */
export function heat(t: number): string {
  const c = Math.max(0, Math.min(1, t));
  const r = Math.round(255 * Math.min(1, 2 * c)), b = Math.round(255 * Math.min(1, 2 - 2 * c)), g = Math.round(255 * (1 - Math.abs(2 * c - 1)));
  return `rgb(${r},${g},${b})`;
}

function canvas(w: number, h: number, cls: string): [HTMLCanvasElement, CanvasRenderingContext2D] {
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  c.className = cls;
  return [c, c.getContext('2d')!];
}

/** Pixels (grey or RGB, values in [lo, hi]) into an ImageData-backed canvas. */
export function imageCanvas(data: ArrayLike<number>, height: number, width: number, channels: number, lo: number, hi: number, cls = 'pic'): HTMLCanvasElement {
  const [c, ctx] = canvas(width, height, cls);
  const img = ctx.createImageData(width, height);
  for (let k = 0; k < width * height; k++) {
    const r = grey(data[k * channels], lo, hi);
    img.data[4 * k] = r;
    img.data[4 * k + 1] = channels === 3 ? grey(data[k * 3 + 1], lo, hi) : r;
    img.data[4 * k + 2] = channels === 3 ? grey(data[k * 3 + 2], lo, hi) : r;
    img.data[4 * k + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return c;
}

/** The element showing a node's preview. */
export function drawView(v: NodeView): HTMLElement {
  const box = document.createElement('div');
  box.className = `view view-${v.kind}`;
  if (v.kind === 'error') {
    box.textContent = v.message;
    return box;
  }
  if (v.kind === 'image') box.append(imageCanvas(v.data, v.height, v.width, v.channels, v.min, v.max));
  else if (v.kind === 'maps') {
    for (const m of v.maps.slice(0, 8)) box.append(imageCanvas(m, v.height, v.width, 1, v.min, v.max, 'map'));
  } else if (v.kind === 'bars') {
    const n = v.data.length, W = 160, H = 40;
    const [c, ctx] = canvas(W, H, 'bars');
    const lo = Math.min(0, v.min), hi = Math.max(0, v.max), span = hi - lo || 1;
    const zero = H - ((0 - lo) / span) * H;
    ctx.fillStyle = '#3b6fd4';
    for (let i = 0; i < n; i++) {
      const y = H - ((v.data[i] - lo) / span) * H;
      ctx.fillRect((i * W) / n, Math.min(y, zero), Math.max(1, W / n - 1), Math.abs(zero - y) || 1);
    }
    box.append(c);
  } else {
    const [c, ctx] = canvas(v.cols, v.rows, 'heatmap');
    const span = v.max - v.min || 1;
    for (let i = 0; i < v.rows; i++) for (let j = 0; j < v.cols; j++) {
      ctx.fillStyle = heat((v.data[i * v.cols + j] - v.min) / span);
      ctx.fillRect(j, i, 1, 1);
    }
    box.append(c);
  }
  const range = document.createElement('div');
  range.className = 'range';
  range.textContent = `${v.min} … ${v.max}`;
  box.append(range);
  return box;
}
