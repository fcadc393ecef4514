/**
 * `npm run bench:browser`: the workloads W1–W6 (bench/workloads/catalog.ts) inside real Chromium
 * (Debian's /usr/bin/chromium driven by playwright-core) — Strata wasm on 1 and 2 threads, TensorFlow.js
 * wasm (SIMD, threads on: the page is cross-origin isolated) and TensorFlow.js cpu, all in one page,
 * item by item, every implementation in turn, each cell the median of its rounds — and a Node section
 * with Strata native, wasm and js, each cell in a fresh process (bench/cell.ts, as `npm run bench`).
 * The page builds its models with the same code as the Node bench (strata-steps.ts, tfjs-steps.ts,
 * bundled by esbuild) over Strata's browser bundle (dist/strata.browser.js, wasm/strata*.wasm).
 * Writes docs/bench/browser.json and browser.md (--quick: bench/results/browser-quick.*; --out FILE).
 * Flags: --quick, --only, --rounds N, --no-tfjs, --no-js, --no-node, --slow (bench/args.ts).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, getPriority, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import * as st from '../src/index.js';
import { nativeAddon } from '../src/kernels/native/addon.js';
import { CHROMIUM, ROOT, chromiumMissing, startServer } from '../test/browser-server.js';
import { parseArgs } from './args.js';
import { FULL, QUICK, machineBusySeconds } from './measure.js';
import { SMOKE } from './measure-core.js';
import { medianOfRounds, writeReport, type Cell } from './report.js';
import { logCell, measureInto, runCell } from './run-cell.js';
import { selectItems, type Item } from './workloads/catalog.js';
import { setWasmThreads, threadShortfall } from './workloads/threads.js';
import { PAGE_IMPLS, type PageImpl, type PageInfo } from './browser/page.js';
import type { TableRow } from './browser/report.js';
import { renderMarkdown, type BrowserReport } from './browser/render.js';

if (process.argv[2] === '--render') {
  // Draws the markdown of an existing report again (after a change of the tables), measuring nothing.
  const file = process.argv[3];
  if (!file?.endsWith('.json')) throw new Error('usage: node build/bench/browser-bench.js --render FILE.json (writes FILE.md)');
  writeFileSync(file.replace(/\.json$/, '.md'), renderMarkdown(JSON.parse(readFileSync(file, 'utf8')) as BrowserReport));
  process.exit(0);
}
const args = parseArgs(process.argv.slice(2));
const method = args.smoke ? SMOKE : args.quick ? QUICK : FULL;
const items = selectItems(args.only);
const log = (s: string) => process.stderr.write(`${s}\n`);

const missing = chromiumMissing();
if (missing) {
  console.log(`bench:browser: Chromium is not available here: ${missing}`);
  process.exit(1);
}

/** CPU seconds used so far by this process's descendants (Chromium's browser, renderer, GPU and utility processes, all threads). */
function chromiumCpuSeconds(): number {
  const parent = new Map<number, number>(), cpu = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(d), Number(f[1]));
      cpu.set(Number(d), (Number(f[11]) + Number(f[12])) / 100); // utime + stime, USER_HZ 100
    } catch {
      // the process ended meanwhile
    }
  }
  let total = 0;
  for (const [pid, seconds] of cpu) {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === process.pid) {
        total += seconds;
        break;
      }
    }
  }
  return total;
}

function git(...a: string[]): string {
  try {
    return execFileSync('git', a, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

const commit = `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? ' (with uncommitted changes)' : ''}`;
const loadStart = loadavg();
log(`${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}, nice ${getPriority()}, load average ${loadStart.map((l) => l.toFixed(2)).join(' ')}, commit ${commit}`);
log(`method: ${method.warmup} warm-up steps, median of ${method.reps} repeats of ≥ ${method.minTime} s; median of ${args.rounds} round(s)${args.quick ? ' (--quick)' : ''}\n`);

// ---- Chromium ----
const PAGE = `<!doctype html><meta charset="utf-8"><title>strata bench</title>
<script src="../node_modules/@tensorflow/tfjs/dist/tf.es2017.min.js"></script>
<script src="../node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.es2017.min.js"></script>
<script type="module">
  import * as st from '../dist/strata.browser.js';
  import * as bench from './page.js';
  const prefix = new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', location.href).href;
  window.bench = { setup: () => bench.setup(st, window.tf, prefix), cell: (id, impl, method, slow) => bench.cell(st, window.tf, id, impl, method, slow) };
</script>`;

const server = await startServer();
const bundle = await build({
  entryPoints: [fileURLToPath(new URL('./browser/page.js', import.meta.url))],
  bundle: true, platform: 'browser', format: 'esm', target: 'es2022', write: false, logLevel: 'warning',
});
server.put('/bench/page.js', bundle.outputFiles[0].text);
server.put('/bench/index.html', PAGE);
const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
const page = await (await browser.newContext()).newPage();
const pageErrors: string[] = [];
page.on('pageerror', (e) => pageErrors.push(e.message));
page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) log(`  [page error] ${m.text().slice(0, 200)}`); });
page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) log(`  [page] ${r.status()} for ${r.url()}`); });
await page.exposeFunction('benchProbe', () => ({ own: chromiumCpuSeconds(), machine: machineBusySeconds() }));
await page.goto(`${server.url}/coi/bench/index.html`);
/* eslint-disable @typescript-eslint/no-explicit-any */
await page.waitForFunction(() => (window as any).bench !== undefined, null, { timeout: 30_000 }).catch(() => {
  throw new Error(`bench:browser: the page did not load: ${pageErrors.join('; ') || 'no error reported'}`);
});
const info: PageInfo = await page.evaluate(() => (window as any).bench.setup());
const wasmFiles = [...new Set(server.requests.filter((p) => p.endsWith('.wasm')).map((p) => p.split('/').pop()!))];
const tfjsWasmFile = wasmFiles.find((f) => f.startsWith('tfjs-backend-wasm')) ?? null;
const browserInfo = { chromium: browser.version(), ...info, wasmFilesFetched: wasmFiles, tfjsWasmFile };
log(`Chromium ${browser.version()}, crossOriginIsolated ${info.crossOriginIsolated}, hardwareConcurrency ${info.hardwareConcurrency}`);
log(`Strata: ${info.strata.backend} backend; ${info.strata.threadsNote ?? `${info.strata.threads} threads available`}`);
log(`TensorFlow.js ${info.tfjs.version} wasm: ${info.tfjs.wasmError ?? `${tfjsWasmFile ?? 'no .wasm fetched'} loaded, ${info.tfjs.wasmThreads} thread(s); SIMD ${info.tfjs.simd}, multithread ${info.tfjs.multithread}`}`);

const pageImpls: PageImpl[] = PAGE_IMPLS.filter((i) => args.tfjs || !i.startsWith('tfjs'));
const browserRounds = new Map<Item, Map<string, Cell[]>>(items.map((i) => [i, new Map()]));
for (let round = 1; round <= args.rounds; round++) {
  log(`Chromium, round ${round} of ${args.rounds}`);
  for (const item of items) {
    const r = browserRounds.get(item)!;
    for (const impl of pageImpls) {
      if (impl === 'strata-wasm-2T' && info.strata.threadsNote) {
        r.set(impl, [{ ok: false, reason: info.strata.threadsNote }]);
        continue;
      }
      if (impl === 'tfjs-wasm' && info.tfjs.wasmError) {
        r.set(impl, [{ ok: false, reason: `tfjs-wasm did not load: ${info.tfjs.wasmError}` }]);
        continue;
      }
      await measureInto(r, impl, async () => {
        const c: Cell = await page.evaluate(([id, i, m, s]) => (window as any).bench.cell(id, i, m, s), [item.id, impl, method, args.slow] as const);
        logCell(item, impl, c);
        return c;
      });
    }
  }
}
await browser.close();
await server.close();
if (info.strata.threadsNote) console.log(info.strata.threadsNote);

const combine = (rounds: Map<Item, Map<string, Cell[]>>): TableRow[] => items.map((item) => ({
  item,
  cells: Object.fromEntries([...rounds.get(item)!].map(([k, cells]) => [k, medianOfRounds(cells, item.unit)])),
}));
const browserRows = combine(browserRounds);

// ---- Node: the bench's own cells (bench/cell.ts), one fresh process each ----
const NODE_IMPLS = ['strata-native', 'strata-wasm-1T', 'strata-wasm-2T', 'strata-js'] as const;
const addon = nativeAddon();
st.setBackend('wasm');
const nodeWasmThreads = setWasmThreads(st, 2);
const nodeThreadsNote = threadShortfall(nodeWasmThreads, 2);
const nodeRounds = new Map<Item, Map<string, Cell[]>>(items.map((i) => [i, new Map()]));
for (let round = 1; args.node && round <= args.rounds; round++) {
  log(`Node, round ${round} of ${args.rounds}`);
  for (const item of items) {
    const r = nodeRounds.get(item)!;
    for (const col of NODE_IMPLS) {
      if (col === 'strata-js' && !args.js) continue;
      if (col === 'strata-native' && !addon) {
        r.set(col, [{ ok: false, reason: 'native backend not built (run `node scripts/build-native.mjs`)' }]);
        continue;
      }
      if (col === 'strata-wasm-2T' && nodeThreadsNote) {
        r.set(col, [{ ok: false, reason: nodeThreadsNote }]);
        continue;
      }
      const impl = col === 'strata-native' ? 'strata-native' : col === 'strata-js' ? 'strata-js' : 'strata-wasm';
      const threads = col === 'strata-native' || col === 'strata-wasm-2T' ? 2 : 1;
      await measureInto(r, col, async () => {
        const c = await runCell(impl, item, threads, args.quick);
        logCell(item, col, c);
        return c;
      });
    }
  }
}
const nodeRows = args.node ? combine(nodeRounds) : [];
const nodeCols = NODE_IMPLS.filter((c) => args.js || c !== 'strata-js');

// ---- Report ----
const loadEnd = loadavg();
const date = new Date().toISOString();
const cellJson = (c: Cell | undefined) => (c === undefined ? null : c.ok ? c.m : { error: c.reason });
const report: BrowserReport & Record<string, unknown> = {
  date, commit, quick: args.quick,
  host: { cpu: cpus()[0]?.model ?? null, cores: cpus().length, node: process.version, nice: getPriority(), loadavgAtStart: loadStart, loadavgAtEnd: loadEnd },
  method: { ...method, rounds: args.rounds, combine: 'median of the rounds' },
  browser: browserInfo,
  node: args.node ? { version: process.version, native: addon ? addon.getIsa() : null, wasmThreads: nodeWasmThreads, threadsNote: nodeThreadsNote } : null,
  rows: items.map((item, k) => ({
    id: item.id, workload: item.workload, metric: item.metric, unit: item.unit,
    browser: Object.fromEntries(pageImpls.map((i) => [i, cellJson(browserRows[k].cells[i])])),
    node: args.node ? Object.fromEntries(nodeCols.map((i) => [i, cellJson(nodeRows[k].cells[i])])) : null,
  })),
};
const out = args.out ?? fileURLToPath(new URL(args.quick ? '../../bench/results/browser-quick.json' : '../../docs/bench/browser.json', import.meta.url));
writeReport(report, '', out);
const md = renderMarkdown(report);
console.log(`\n${md}`);
const mdPath = out.replace(/\.json$/, '') + '.md';
writeFileSync(mdPath, md);
console.log(`wrote ${out}, ${mdPath}`);
