/**
 * Runs one Strata or TensorFlow.js cell (bench/cell.ts) in a fresh Node process and reads its JSON
 * line; a failure (a missing kernel, say) becomes the cell. Shared by bench.ts and scaling.ts.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CellImpl } from './cell.js';
import type { Cell } from './report.js';
import type { Item } from './workloads/catalog.js';

const CELL_SCRIPT = fileURLToPath(new URL('./cell.js', import.meta.url));

/** Times `item` on `impl` with `threads` threads; `shape` overrides a training item's batch / W5 sequence. */
export async function runCell(
  impl: CellImpl, item: Item, threads: number, quick: boolean, shape: { batch?: number; sequence?: number } = {},
): Promise<Cell> {
  const cellArgs = [CELL_SCRIPT, impl, item.id, String(threads), ...(quick ? ['--quick'] : [])];
  if (shape.batch) cellArgs.push('--batch', String(shape.batch));
  if (shape.sequence) cellArgs.push('--seq', String(shape.sequence));
  const child = spawn(process.execPath, cellArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const line = out.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Cell;
  } catch {
    // The thrown error's own line, not Node's trailing version banner.
    const lines = err.trim().split('\n').filter((l) => l.trim() && !l.startsWith('strata: using') && !/^Node\.js v/.test(l));
    const why = [...lines].reverse().find((l) => /Error\b/.test(l)) ?? lines.at(-1) ?? `exit ${code}`;
    return { ok: false, reason: `${impl} ${item.id}: the measuring process failed (${why.slice(0, 160)})` };
  }
}

/** One progress line on stderr for a measured cell. */
export function logCell(item: Item, label: string, cell: Cell): void {
  const m = cell.ok ? cell.m : null;
  const text = m
    ? `${m.value.toPrecision(4).padStart(9)} ${item.unit.padEnd(9)} cpu/wall ${m.cpuPerWall.toFixed(2)}, others ${m.otherProcsCores?.toFixed(2) ?? '?'} cores` +
      (m.memory?.workloadPeakMB != null ? `, peak ${m.memory.workloadPeakMB} MB` : '')
    : `n/a (${(cell as { reason: string }).reason})`;
  process.stderr.write(`  ${item.id.padEnd(12)} ${label.padEnd(28)} ${text}\n`);
}

/**
 * Measures a cell in this round, adding it to the cell's list of rounds. A cell that failed, or only
 * had time for one cold step, is not measured again: that would not change.
 */
export async function measureInto(list: Map<string, Cell[]>, key: string, next: () => Promise<Cell>): Promise<void> {
  const kept = list.get(key) ?? [];
  const first = kept[0];
  if (first && (!first.ok || first.m.single)) return;
  list.set(key, [...kept, await next()]);
}
