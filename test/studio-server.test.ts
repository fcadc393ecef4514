// Strata Studio's server (src/studio/server): the security rules (token, Host, Origin, project
// folder, malformed requests), the graph → model translation with the library's own errors, and the
// export → import round trips of model.json, the CLI spec and the TypeScript program (compiled and
// run, it prints the same summary and parameter count).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import * as st from '../src/index.js';
import { startStudio, type StudioServer } from '../src/studio/server/http.js';
import { buildGraph, type StudioGraph } from '../src/studio/server/graph.js';
import { studioW3Graph } from '../bench/workloads/studio-w3.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tmp = join(root, 'build', `studio-test-${process.pid}`);
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

const servers: StudioServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function studio(name: string): Promise<StudioServer> {
  const s = await startStudio({ folder: join(tmp, name), pageDir: join(root, 'dist', 'studio', 'page') });
  servers.push(s);
  return s;
}

interface Reply { status: number; body: string; json: any }

/** A raw request, so tests can set Host and Origin as a browser or an attacker would. */
function call(s: StudioServer, method: string, path: string, opts: { headers?: Record<string, string>; body?: string; token?: string | null } = {}): Promise<Reply> {
  const headers: Record<string, string> = { host: `127.0.0.1:${s.port}`, ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers };
  const token = opts.token === undefined ? s.token : opts.token;
  if (token !== null) headers['x-studio-token'] = token;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: s.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try { json = JSON.parse(body); } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, body, json });
      });
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

const post = (s: StudioServer, route: string, body: unknown) => call(s, 'POST', `/api/${route}`, { body: JSON.stringify(body) });

/** The W3 CNN of the benchmarks, on 300 digits for one epoch. */
const w3 = (): StudioGraph => studioW3Graph(300, 1);

/** Two branches from one input, added, then a dense head: a graph no Sequential can express. */
function branched(): StudioGraph {
  return {
    version: 1,
    nodes: [
      { id: 'x', type: 'input', params: { shape: [8] } },
      { id: 'left', type: 'dense', params: { units: 4, activation: 'relu' } },
      { id: 'right', type: 'dense', params: { units: 4, activation: 'tanh' } },
      { id: 'sum', type: 'add', params: {} },
      { id: 'y', type: 'dense', params: { units: 2, activation: 'softmax' } },
    ],
    edges: [{ from: 'x', to: 'left' }, { from: 'x', to: 'right' }, { from: 'left', to: 'sum' }, { from: 'right', to: 'sum' }, { from: 'sum', to: 'y' }],
  };
}

test('studio: every request needs the token (403 without it or with a wrong one, pages included)', async () => {
  const s = await studio('token');
  for (const [path, token] of [['/api/catalogue', null], ['/api/catalogue', 'x'.repeat(s.token.length)], ['/', null], ['/app.js', null], ['/api/events', null]] as const) {
    const r = await call(s, 'GET', path, { token });
    assert.equal(r.status, 403, `${path} with token ${token}`);
    assert.match(r.body, /token/);
  }
  const ok = await call(s, 'GET', '/api/catalogue');
  assert.equal(ok.status, 200);
  // The page itself is reached with ?token= (a browser cannot add headers to a navigation).
  const page = await call(s, 'GET', `/?token=${s.token}`, { token: null });
  assert.equal(page.status, 200);
  assert.ok(page.body.includes(`app.js?token=${encodeURIComponent(s.token)}`));
  assert.equal(new URL(s.url).hostname, '127.0.0.1');
  assert.equal((s.server.address() as { address: string }).address, '127.0.0.1');
});

test('studio: a foreign Origin or Host is refused (other web pages, DNS rebinding)', async () => {
  const s = await studio('origin');
  const evil = await call(s, 'GET', '/api/catalogue', { headers: { origin: 'http://evil.example' } });
  assert.equal(evil.status, 403);
  assert.match(evil.json.error, /evil\.example/);
  const otherPort = await call(s, 'POST', '/api/check', { headers: { origin: `http://127.0.0.1:${s.port + 1}` }, body: JSON.stringify({ graph: w3() }) });
  assert.equal(otherPort.status, 403);
  const rebound = await call(s, 'GET', '/api/catalogue', { headers: { host: `attacker.example:${s.port}` } });
  assert.equal(rebound.status, 403);
  assert.match(rebound.json.error, /Host/);
  const own = await call(s, 'GET', '/api/catalogue', { headers: { origin: `http://localhost:${s.port}`, host: `localhost:${s.port}` } });
  assert.equal(own.status, 200);
});

test('studio: paths outside the project folder are refused, links out included', async () => {
  const s = await studio('paths');
  const outside = join(tmp, 'outside');
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'spec.json'), JSON.stringify({ inputShape: [4], layers: [{ type: 'dense', units: 2 }] }));
  symlinkSync(outside, join(s.studio.folder, 'link'));
  for (const path of ['../outside/spec.json', join(outside, 'spec.json'), 'link/spec.json', 'a/../../outside/spec.json']) {
    const r = await post(s, 'import', { format: 'spec', path });
    assert.equal(r.status, 400, path);
    assert.match(r.json.error, /outside the project folder/, path);
  }
  for (const path of ['../escaped', 'link/escaped']) {
    const r = await post(s, 'export', { graph: w3(), format: 'program', path });
    assert.equal(r.status, 400, path);
  }
  assert.ok(!existsSync(join(tmp, 'escaped')) && !existsSync(join(outside, 'escaped')));
  const file = await call(s, 'GET', `/api/file?path=${encodeURIComponent('../outside/spec.json')}`);
  assert.equal(file.status, 400);
  const data = await post(s, 'preview', { graph: w3(), dataset: '../outside/data.csv' });
  assert.equal(data.status, 400);
});

test('studio: malformed requests get a 4xx with a message and the server keeps answering', async () => {
  const s = await studio('malformed');
  const cases: [string, string, string | undefined, Record<string, string>?][] = [
    ['POST', '/api/check', '{"graph": '],
    ['POST', '/api/check', '[1, 2'],
    ['POST', '/api/check', '{}'],
    ['POST', '/api/check', '{"graph": {"nodes": 3, "edges": []}}'],
    ['POST', '/api/check', '{"graph": {"nodes": [{"id": "1bad", "type": "dense"}], "edges": []}}'],
    ['POST', '/api/check', '{"graph": {"nodes": [{"id": "a", "type": "input"}], "edges": [{"from": "a", "to": "nowhere"}]}}'],
    ['PUT', '/api/graph', 'null'],
    ['POST', '/api/export', JSON.stringify({ graph: w3(), format: 'exe' })],
    ['POST', '/api/import', JSON.stringify({ format: 'spec', text: '{ not json' })],
    ['POST', '/api/import', JSON.stringify({ format: 'program', text: 'console.log(1)' })],
    ['POST', '/api/preview', JSON.stringify({ graph: w3(), dataset: 'no-such-dataset' })],
    ['POST', '/api/train', JSON.stringify({ graph: w3(), training: { epochs: -1 } })],
    ['POST', '/api/train/pause', '{}'],
    ['POST', '/api/check', 'x', { 'content-type': 'text/plain' }],
    ['DELETE', '/api/catalogue', undefined],
    ['GET', '/api/nothing', undefined],
  ];
  for (const [method, path, body, headers] of cases) {
    const r = await call(s, method, path, { body, headers });
    assert.ok(r.status >= 400 && r.status < 500, `${method} ${path} ${body}: status ${r.status} ${r.body}`);
    assert.equal(typeof r.json?.error, 'string', `${method} ${path}: a message`);
  }
  assert.equal((await call(s, 'POST', '/api/check', { body: '{"graph": ' })).json.error.startsWith('malformed JSON'), true);
  assert.equal((await call(s, 'GET', '/api/catalogue')).status, 200);
});

test('studio: graph → model gives Strata\'s shapes and parameter counts, and the library\'s own error on the node', async () => {
  const s = await studio('graph');
  const r = await post(s, 'check', { graph: w3() });
  assert.equal(r.status, 200);
  // conv 32·(9+1) = 320; conv 64·(9·32+1) = 18,496; dense 1600·128+128 = 204,928; dense 128·10+10 = 1,290.
  assert.equal(r.json.totalParams, 225034);
  assert.deepEqual(r.json.nodes.pool_b.shape, [null, 5, 5, 64]);
  assert.equal(r.json.nodes.hidden.params, 204928);
  assert.equal(r.json.sequential, true);
  const bad = w3();
  bad.nodes[1].params.kernelSize = 0;
  let expected = '';
  try { st.layers.conv2d({ filters: 32, kernelSize: 0, name: 'conv_a' }); } catch (e) { expected = (e as Error).message; }
  assert.ok(expected.length > 0);
  const rb = await post(s, 'check', { graph: bad });
  assert.equal(rb.json.nodes.conv_a.error, expected);
  assert.match(rb.json.nodes.pool_a.error, /waiting for 'conv_a'/);
  assert.equal(rb.json.totalParams, null);
  // A shape error found when the layer meets its input: Dense on an image without Flatten is fine
  // in Keras (it acts on the last axis), but a merge of mismatched shapes is not.
  const g = branched();
  g.nodes[2].params.units = 5;
  const rm = await post(s, 'check', { graph: g });
  assert.match(rm.json.nodes.sum.error, /4|5/);
  assert.equal(rm.json.nodes.y.error, "waiting for 'sum', which has an error");
  const d = await post(s, 'dataset', { dataset: 'mnist', limit: 50 });
  assert.deepEqual([d.json.samples, d.json.sampleShape, d.json.classNames.length, d.json.kind], [50, [28, 28, 1], 10, 'image']);
  const rf = await post(s, 'check', { graph: branched() });
  assert.equal(rf.json.totalParams, 8 * 4 + 4 + 8 * 4 + 4 + 4 * 2 + 2);
  assert.equal(rf.json.sequential, false);
});

function summaryOf(built: ReturnType<typeof buildGraph>): string[] {
  const lines: string[] = [];
  built.model!.summary(98, (l) => lines.push(l));
  return lines;
}

test('studio: export → import round trips keep the model (model.json, CLI spec, TypeScript program)', async () => {
  const s = await studio('roundtrip');
  const graph = w3();
  const reference = (await post(s, 'check', { graph })).json;
  for (const [format, path] of [['model', 'exports/w3'], ['spec', 'exports/w3.json'], ['program', 'exports/w3.ts']]) {
    const e = await post(s, 'export', { graph, format, path });
    assert.equal(e.status, 200, e.body);
    const i = await post(s, 'import', { format, path });
    assert.equal(i.status, 200, i.body);
    assert.equal(i.json.check.totalParams, 225034, format);
    assert.deepEqual(i.json.check.summary, reference.summary, format);
    assert.deepEqual(i.json.graph.edges.length, 8);
  }
  // The spec is the one `strata train` reads.
  const spec = JSON.parse(readFileSync(join(s.studio.folder, 'exports', 'w3.json'), 'utf8'));
  const { buildModel } = await import('../src/cli/spec.js');
  assert.equal(buildModel(spec, { classes: 10 }, undefined, 'w3.json').countParams(), 225034);
  // A branching graph goes through the program and model.json, and is refused as a spec with a reason.
  const b = branched();
  const refB = (await post(s, 'check', { graph: b })).json;
  for (const [format, path] of [['model', 'exports/b'], ['program', 'exports/b.ts']]) {
    await post(s, 'export', { graph: b, format, path });
    const i = await post(s, 'import', { format, path });
    assert.deepEqual(i.json.check.summary, refB.summary, format);
  }
  const refused = await post(s, 'export', { graph: b, format: 'spec' });
  assert.equal(refused.status, 400);
  assert.match(refused.json.error, /stack of layers/);
  // Weights survive model.json → import: a preview of the imported graph uses them.
  const direct = buildGraph(b);
  assert.equal(summaryOf(direct).join('\n'), refB.summary.join('\n'));
});

test('studio: the exported TypeScript program type-checks, runs and prints the same summary and parameter count', async () => {
  const s = await studio('program');
  const graph = w3();
  const reference = (await post(s, 'check', { graph })).json;
  // Inside the package folder, so `import 'strata'` resolves to this package (self-reference).
  const dir = join(tmp, 'program-run');
  mkdirSync(dir, { recursive: true });
  const text = (await post(s, 'export', { graph, format: 'program' })).json.text as string;
  const file = join(dir, 'model.ts');
  writeFileSync(file, text);
  const program = ts.createProgram([file], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true, skipLibCheck: true, types: [] });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  assert.deepEqual(diagnostics, []);
  const js = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  writeFileSync(join(dir, 'model.mjs'), js);
  const run = spawnSync(process.execPath, [join(dir, 'model.mjs')], { encoding: 'utf8', cwd: dir, env: { ...process.env, STRATA_QUIET: '1' } });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trimEnd().split('\n');
  assert.equal(lines[lines.length - 1], 'parameters: 225034');
  assert.deepEqual(lines.slice(0, -1), reference.summary);
});

test('studio: training runs off the request path; every open event stream sees it; pause, resume, checkpoint, stop', async () => {
  const s = await studio('train');
  const graph = w3();
  graph.nodes[1].params.filters = 4;
  graph.nodes[3].params.filters = 8;
  graph.training = { dataset: 'mnist', limit: 256, epochs: 3, batchSize: 16, validationSplit: 0.25 };
  const tabs = [listen(s), listen(s)];
  await Promise.all(tabs.map((t) => t.open));
  const started = await post(s, 'train', { graph });
  assert.equal(started.status, 200, started.body);
  // The server answers while the run goes on.
  assert.equal((await call(s, 'GET', '/api/catalogue')).status, 200);
  await until(() => tabs.every((t) => t.events.some((e) => e.event === 'batch')));
  assert.equal((await post(s, 'train/pause', {})).json.status, 'paused');
  assert.equal((await post(s, 'train', { graph })).status, 409);
  const cp = await post(s, 'train/checkpoint', {});
  assert.ok(existsSync(join(s.studio.folder, cp.json.path, 'model.json')));
  const seen = tabs[0].events.filter((e) => e.event === 'batch').length;
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(tabs[0].events.filter((e) => e.event === 'batch').length, seen, 'no batches while paused');
  await post(s, 'train/resume', {});
  await until(() => tabs[0].events.some((e) => e.event === 'epoch'));
  await post(s, 'train/stop', {});
  await until(() => tabs.every((t) => t.events.some((e) => e.event === 'status' && e.data.status === 'stopped')));
  const epoch = tabs[1].events.find((e) => e.event === 'epoch')!.data;
  assert.deepEqual(Object.keys(epoch.epoch).sort(), ['acc', 'epoch', 'loss', 'val_acc', 'val_loss']);
  assert.equal(epoch.confusion.matrix.flat().reduce((a: number, b: number) => a + b, 0), 64);
  assert.equal(epoch.weights.length, 8);
  assert.ok(epoch.weights.every((w: { gradStd?: number }) => typeof w.gradStd === 'number'));
  const history = JSON.parse(readFileSync(join(s.studio.folder, 'runs', started.json.run, 'history.json'), 'utf8'));
  assert.equal(history.status, 'stopped');
  assert.ok(history.epochs.length >= 1 && history.epochs.length < 3);
  for (const t of tabs) t.close();
});

interface Listener { events: { event: string; data: any }[]; open: Promise<void>; close(): void }

function listen(s: StudioServer): Listener {
  const events: { event: string; data: any }[] = [];
  let close = () => undefined as void;
  const open = new Promise<void>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: s.port, path: `/api/events?token=${s.token}`, headers: { host: `127.0.0.1:${s.port}` } }, (res) => {
      let buf = '';
      res.on('data', (c: Buffer) => {
        buf += c.toString('utf8');
        let k;
        while ((k = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, k);
          buf = buf.slice(k + 2);
          const ev = /^event: (.*)$/m.exec(frame), data = /^data: (.*)$/m.exec(frame);
          if (ev && data) events.push({ event: ev[1], data: JSON.parse(data[1]) });
        }
      });
      resolve();
    });
    req.on('error', reject);
    req.end();
    close = () => req.destroy();
  });
  return { events, open, close: () => close() };
}

async function until(f: () => boolean, ms = 30000): Promise<void> {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('strata train --studio: the CLI run is on the dashboard (events, snapshot for a late tab) until Ctrl+C', async () => {
  const { spawn } = await import('node:child_process');
  const dir = join(tmp, 'cli-studio');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'spec.json'), JSON.stringify({ inputShape: [28, 28, 1], layers: [{ type: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 'classes', activation: 'softmax' }] }));
  const child = spawn(process.execPath, [join(root, 'bin', 'strata.js'), 'train', 'spec.json', '--data', 'mnist', '--limit', '200', '--epochs', '2', '--verbose', '0', '--out', 'm', '--studio'], { cwd: dir });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  await until(() => stdout.includes('stays open'), 60000);
  const url = new URL(/dashboard: (\S+)/.exec(stdout)![1]);
  const fake = { port: Number(url.port), token: url.searchParams.get('token')! } as StudioServer;
  const run = await call(fake, 'GET', '/api/run');
  assert.equal(run.status, 200);
  assert.equal(run.json.status, 'done');
  assert.equal(run.json.epochs.length, 2);
  assert.equal(run.json.latest.confusion.classes.length, 10);
  const late = listen(fake);
  await late.open;
  await until(() => late.events.some((e) => e.event === 'snapshot'));
  assert.equal(late.events[0].data.epochs.length, 2);
  assert.equal((await call(fake, 'GET', '/api/run', { token: null })).status, 403);
  late.close();
  child.kill('SIGINT');
  assert.equal(await exited, 0);
  assert.ok(existsSync(join(dir, 'm', 'model.json')));
  assert.ok(existsSync(join(dir, 'strata-studio', 'runs', run.json.run, 'history.json')));
});

test('studio: a run and `strata train` on the exported spec with the same settings and seed compute the same numbers', async () => {
  const s = await studio('same-as-cli');
  const graph = w3();
  graph.nodes[1].params.filters = 4;
  graph.nodes[3].params.filters = 8;
  graph.nodes[6].params.units = 16;
  graph.training = { dataset: 'mnist', limit: 160, epochs: 2, batchSize: 16, validationSplit: 0.25, learningRate: 0.003, seed: 7 };
  const tab = listen(s);
  await tab.open;
  const started = await post(s, 'train', { graph });
  assert.equal(started.status, 200, started.body);
  await until(() => tab.events.some((e) => e.event === 'status' && e.data.status === 'done'));
  tab.close();
  const studioEpoch = (await call(s, 'GET', '/api/run')).json.epochs[1];
  await post(s, 'export', { graph, format: 'spec', path: 'spec.json' });
  const cli = spawnSync(process.execPath, [join(root, 'bin', 'strata.js'), 'train', 'spec.json', '--data', 'mnist', '--limit', '160', '--epochs', '2', '--batch-size', '16',
    '--validation-split', '0.25', '--lr', '0.003', '--seed', '7', '--verbose', '0', '--out', 'cli-model'], { cwd: s.studio.folder, encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  const line = /trained 2 epochs: (.*)/.exec(cli.stdout)![1];
  const cliEpoch = Object.fromEntries(line.split(' - ').map((kv) => { const [k, v] = kv.split(' '); return [k, Number(v)]; }));
  for (const k of ['loss', 'acc', 'val_loss', 'val_acc']) assert.equal(cliEpoch[k], Number(studioEpoch[k].toFixed(4)), `${k}: CLI ${cliEpoch[k]}, studio ${studioEpoch[k]}`);
});

test('studio: a CSV in the project trains; a long run keeps at most 2000 batch points (memory stays flat)', async () => {
  const s = await studio('long-run');
  const rows = ['x1,x2,label'];
  for (let i = 0; i < 16; i++) rows.push(`${(i % 4) / 4},${Math.floor(i / 4) / 4},${i % 2 ? 'odd' : 'even'}`);
  writeFileSync(join(s.studio.folder, 'table.csv'), `${rows.join('\n')}\n`);
  const graph: StudioGraph = {
    version: 1,
    nodes: [{ id: 'x', type: 'input', params: { shape: [2] } }, { id: 'y', type: 'dense', params: { units: 2, activation: 'softmax' } }],
    edges: [{ from: 'x', to: 'y' }],
    training: { dataset: 'table.csv', epochs: 160, batchSize: 1, validationSplit: 0 },
  };
  const started = await post(s, 'train', { graph });
  assert.equal(started.status, 200, started.body);
  await until(() => s.studio.run?.status === 'done', 60000);
  const run = (await call(s, 'GET', '/api/run')).json;
  assert.equal(run.epochs.length, 160);
  assert.ok(run.batches.length <= 2000 && run.batches.length >= 1000, `${run.batches.length} batch points`);
  assert.equal(run.batches[run.batches.length - 1].step, 16 * 160);
  assert.deepEqual(run.latest.confusion.classes, ['even', 'odd']);
});
