/**
 * Small log–log line charts as SVG, turned into PNG with sharp (already a dependency of Strata, for
 * image folders): the scaling figures need a few panels of two lines each, which does not justify a
 * plotting dependency (matplotlib is not in Debian's python3-torch set, and npm's chart-to-PNG
 * libraries pull in node-canvas or a headless browser).
 */
import sharp from 'sharp';

export interface Series {
  name: string;
  color: string;
  /** SVG stroke-dasharray, '' for a solid line. */
  dash: string;
  /** [x, y] pairs; points with y null are left out (a failed measurement). */
  points: Array<[number, number | null]>;
}

export interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
}

const W = 360, H = 270, M = { left: 62, right: 14, top: 30, bottom: 46 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Tick values of a log axis over [lo, hi]: 1, 2, 5 × powers of ten (only powers of ten on wide ranges). */
function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  const wide = Math.log10(hi / lo) > 3;
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of wide ? [1] : [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo * 0.999 && v <= hi * 1.001) ticks.push(v);
    }
  }
  return ticks;
}

function fmtTick(v: number): string {
  return v >= 1000 ? `${v / 1000}k` : v >= 1 ? String(Math.round(v * 100) / 100) : v.toPrecision(1);
}

/** One panel at (ox, oy): axes, ticks, grid and its lines. */
function panelSvg(p: Panel, ox: number, oy: number): string {
  const pts = p.series.flatMap((s) => s.points.filter((q): q is [number, number] => q[1] !== null && q[1] > 0));
  if (!pts.length) return `<text x="${ox + W / 2}" y="${oy + H / 2}" text-anchor="middle">${esc(p.title)}: no data</text>`;
  const xs = [...new Set(p.series.flatMap((s) => s.points.map((q) => q[0])))].sort((a, b) => a - b);
  const [xLo, xHi] = [xs[0], xs[xs.length - 1]];
  const ys = pts.map((q) => q[1]);
  // The y range widened to whole decades, so the lines do not touch the frame and ticks are round.
  const yLoNice = 10 ** Math.floor(Math.log10(Math.min(...ys)));
  const yHi = Math.max(10 ** Math.ceil(Math.log10(Math.max(...ys))), yLoNice * 10);
  const pw = W - M.left - M.right, ph = H - M.top - M.bottom;
  const X = (x: number) => ox + M.left + (xHi === xLo ? pw / 2 : (Math.log10(x / xLo) / Math.log10(xHi / xLo)) * pw);
  const Y = (y: number) => oy + M.top + ph - (Math.log10(y / yLoNice) / Math.log10(yHi / yLoNice)) * ph;
  const out: string[] = [];
  out.push(`<text x="${ox + W / 2}" y="${oy + 18}" text-anchor="middle" font-size="13" font-weight="bold">${esc(p.title)}</text>`);
  out.push(`<rect x="${ox + M.left}" y="${oy + M.top}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`);
  for (const t of logTicks(yLoNice, yHi)) {
    out.push(`<line x1="${ox + M.left}" x2="${ox + M.left + pw}" y1="${Y(t)}" y2="${Y(t)}" stroke="#ddd"/>`);
    out.push(`<text x="${ox + M.left - 5}" y="${Y(t) + 4}" text-anchor="end" font-size="10">${fmtTick(t)}</text>`);
  }
  for (const x of xs) {
    out.push(`<line x1="${X(x)}" x2="${X(x)}" y1="${oy + M.top}" y2="${oy + M.top + ph}" stroke="#eee"/>`);
    out.push(`<text x="${X(x)}" y="${oy + M.top + ph + 14}" text-anchor="middle" font-size="10">${fmtTick(x)}</text>`);
  }
  out.push(`<text x="${ox + M.left + pw / 2}" y="${oy + H - 10}" text-anchor="middle" font-size="11">${esc(p.xLabel)}</text>`);
  out.push(`<text transform="translate(${ox + 14},${oy + M.top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="11">${esc(p.yLabel)}</text>`);
  for (const s of p.series) {
    const q = s.points.filter((v): v is [number, number] => v[1] !== null && v[1] > 0);
    if (!q.length) continue;
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" stroke-dasharray="${s.dash}" points="${q.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of q) out.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="3" fill="${s.color}"/>`);
  }
  return out.join('\n');
}

/** Panels in a grid of `columns`, a title on top and a legend (from the first panel's series) below. */
export function chartSvg(title: string, panels: Panel[], columns: number, footnote = ''): string {
  const rows = Math.ceil(panels.length / columns);
  const top = 34, legend = 46;
  const width = columns * W, height = top + rows * H + legend;
  const body = panels.map((p, i) => panelSvg(p, (i % columns) * W, top + Math.floor(i / columns) * H));
  const series = panels[0]?.series ?? [];
  const ly = top + rows * H + 18;
  const legendSvg = series.map((s, i) => {
    const lx = 20 + i * 220;
    return `<line x1="${lx}" x2="${lx + 30}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2" stroke-dasharray="${s.dash}"/>` +
      `<text x="${lx + 36}" y="${ly + 4}" font-size="12">${esc(s.name)}</text>`;
  }).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>
${body.join('\n')}
${legendSvg}
<text x="20" y="${ly + 22}" font-size="10" fill="#555">${esc(footnote)}</text>
</svg>
`;
}

/** Renders an SVG document to a PNG file. */
export async function svgToPng(svg: string, path: string): Promise<void> {
  await sharp(Buffer.from(svg)).png().toFile(path);
}
