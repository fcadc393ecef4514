// Studio server memory over a long training run (issue 14: "the server's memory stays flat"): the W3
// CNN on MNIST through the studio's own HTTP API, with two tabs listening to the event stream, sampling
// the process's RSS and V8 heap every 250 ms. Prints the figures at 10%, 50% and 100% of the run and
// the peak. Usage: npm run bench:studio-memory [-- --epochs N --limit N]
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStudio } from '../src/studio/server/http.js';
import { studioW3Graph } from './workloads/studio-w3.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const epochs = arg('epochs', 20), limit = arg('limit', 2000);
const root = fileURLToPath(new URL('../../', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'strata-studio-memory-'));
const s = await startStudio({ folder, pageDir: join(root, 'dist', 'studio', 'page') });
const headers = { host: `127.0.0.1:${s.port}`, 'x-studio-token': s.token, 'content-type': 'application/json' };

/** An open event stream, as a browser tab keeps one; counts the bytes it receives. */
function listen(): { bytes: number; close: () => void } {
  const tab = { bytes: 0, close: () => undefined as void };
  const req = request({ host: '127.0.0.1', port: s.port, path: '/api/events', headers }, (res) => res.on('data', (c: Buffer) => (tab.bytes += c.length)));
  req.on('error', () => undefined);
  req.end();
  tab.close = () => req.destroy();
  return tab;
}

function post(route: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: s.port, method: 'POST', path: `/api/${route}`, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const graph = studioW3Graph(limit, epochs);

const tabs = [listen(), listen()];
const samples: { t: number; rss: number; heap: number; buffers: number }[] = [];
const t0 = Date.now();
const timer = setInterval(() => {
  const m = process.memoryUsage();
  samples.push({ t: (Date.now() - t0) / 1000, rss: m.rss / 2 ** 20, heap: m.heapUsed / 2 ** 20, buffers: m.arrayBuffers / 2 ** 20 });
}, 250);
const status = await post('train', { graph });
if (status !== 200) throw new Error(`train answered ${status}`);
while (s.studio.run?.status !== 'done') await new Promise((r) => setTimeout(r, 250));
clearInterval(timer);
const at = (f: number) => samples[Math.min(samples.length - 1, Math.floor(f * (samples.length - 1)))];
const fmt = (x: { t: number; rss: number; heap: number; buffers: number }) =>
  `${x.t.toFixed(0)} s: RSS ${x.rss.toFixed(0)} MB, V8 heap ${x.heap.toFixed(0)} MB, array buffers ${x.buffers.toFixed(0)} MB`;
console.log(`studio, W3 CNN on ${limit} MNIST digits × ${epochs} epochs (batch 32), two tabs listening (${tabs.map((t) => t.bytes).join(' and ')} bytes of events)`);
for (const f of [0.1, 0.25, 0.5, 0.75, 1]) console.log(`  ${Math.round(f * 100)}% of the run, ${fmt(at(f))}`);
console.log(`  peak RSS ${Math.max(...samples.map((x) => x.rss)).toFixed(0)} MB over ${samples.length} samples`);
tabs.forEach((t) => t.close());
await s.close();
rmSync(folder, { recursive: true, force: true });
