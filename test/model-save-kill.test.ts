// Saves survive SIGKILL: a child process saves one model over and over into the same folder,
// alternating two weight sets, and is killed at random moments. After every kill the folder must
// hold a whole model equal to one of the two sets (never none, never a mix). The child stretches
// each step of a save with a short random pause (saveHooks), so the kills land between the steps
// (old files moved, new files renamed) as often as inside them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as st from '../src/index.js';
import * as io from '../src/io/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'strata-save-kill-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

const strataUrl = new URL('../src/index.js', import.meta.url).href;
const handlersUrl = new URL('../src/io/handlers.js', import.meta.url).href;

/**
 * The child: the model and its two weight sets from seeds (as `weightSets` below), then saves in a
 * loop, A, B, A, ... It prints 'looping' once it starts saving.
 */
const child = (dir: string) => `
  const st = await import(${JSON.stringify(strataUrl)});
  const { saveHooks } = await import(${JSON.stringify(handlersUrl)});
  ${modelSource}
  const model = makeModel(st);
  const sets = [weightSet(st, model, 1), weightSet(st, model, 2)];
  const pause = new Int32Array(new SharedArrayBuffer(4));
  saveHooks.onStep = () => Atomics.wait(pause, 0, 0, Math.random() * 15);
  console.log('looping');
  for (let i = 0; ; i++) {
    model.setWeights(sets[i % 2]);
    await model.save(${JSON.stringify(dir)});
  }
`;

// Shared by the child (as source) and this test (evaluated below): two dense layers, ~5 MB of
// float32 weights, so a save writes two shards.
const modelSource = `
  function makeModel(st) {
    return st.sequential({ layers: [
      st.layers.dense({ units: 700, inputShape: [900], name: 'a' }),
      st.layers.dense({ units: 900, name: 'b' }),
    ] });
  }
  function weightSet(st, model, seed) {
    return model.getWeights().map((w, i) => st.randomUniform(w.shape, { minval: -1, maxval: 1, seed: seed * 100 + i }));
  }
`;
const { makeModel, weightSet } = new Function(`${modelSource}; return { makeModel, weightSet };`)() as {
  makeModel: (s: typeof st) => st.Sequential;
  weightSet: (s: typeof st, m: st.Sequential, seed: number) => st.Tensor[];
};

function sameBytes(a: st.Tensor, b: st.Tensor): boolean {
  return Buffer.from(a.values.buffer, a.values.byteOffset, a.values.byteLength)
    .equals(Buffer.from(b.values.buffer, b.values.byteOffset, b.values.byteLength));
}

/** Starts the child and resolves once it is saving in its loop. */
function startSaver(dir: string): Promise<import('node:child_process').ChildProcess> {
  return new Promise((resolveStart, reject) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', child(dir)], {
      env: { ...process.env, STRATA_QUIET: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    p.stderr!.on('data', (d) => { err += d; });
    p.stdout!.on('data', (d) => { if (String(d).includes('looping')) resolveStart(p); });
    p.on('exit', (code, signal) => { if (signal !== 'SIGKILL') reject(new Error(`the saver exited (${code ?? signal}): ${err}`)); });
  });
}

const kill = (p: import('node:child_process').ChildProcess) => new Promise<void>((done) => {
  p.once('exit', () => done());
  p.kill('SIGKILL');
});

test('a save killed with SIGKILL at random moments always leaves a whole model, the old or the new', async (t) => {
  const model = makeModel(st);
  const sets = [weightSet(st, model, 1), weightSet(st, model, 2)];
  const dir = join(scratch, 'model');
  model.setWeights(sets[1]);
  await model.save(dir);
  const seen = [0, 0];
  let kills = 0, midSave = 0;
  const started = Date.now();
  while (kills < 40 && Date.now() - started < 25_000) {
    const saver = await startSaver(dir);
    await new Promise((r) => setTimeout(r, Math.random() * 150));
    await kill(saver);
    kills++;
    const inside = (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : []).filter((e) => e.isFile()).map((e) => e.name);
    const files = inside.concat(readdirSync(scratch).filter((n) => n.startsWith('.model.')).map((n) => `../${n}`));
    let loaded: st.Model;
    try {
      loaded = await io.loadLayersModel(dir);
    } catch (e) {
      assert.fail(`kill ${kills}: the folder holds no loadable model (${(e as Error).message}); files: ${files.join(', ')}`);
    }
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
    // Files other than the current model's, in its folder or beside it: a save was cut short.
    if (files.length > 1 + json.weightsManifest[0].paths.length) midSave++;
    const ws = loaded.getWeights();
    const which = sets.findIndex((set) => set.length === ws.length && set.every((w, i) => sameBytes(w, ws[i])));
    assert.ok(which >= 0, `kill ${kills}: the loaded weights are neither set (a mix of two saves?); files: ${files.join(', ')}`);
    seen[which]++;
  }
  t.diagnostic(`${kills} kills, ${midSave} in the middle of a save; weight sets seen ${seen}`);
  assert.ok(kills >= 20, `only ${kills} kills in the time allowed`);
  assert.ok(seen[0] > 0 && seen[1] > 0, `both weight sets should be seen after kills: ${seen}`);
  assert.ok(midSave > 0, 'no kill landed in the middle of a save: the test exercised nothing');
  // The next save removes what the killed saves left behind.
  model.setWeights(sets[0]);
  await model.save(dir);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
  assert.deepEqual(readdirSync(dir).sort(), [...json.weightsManifest[0].paths, 'model.json'].sort(), 'leftovers of killed saves remain');
});

test('TensorFlow.js loads the folder after saves over saves (shard names unique to a save)', async () => {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  st.setSeed(5);
  const model = st.sequential({ layers: [st.layers.dense({ units: 3, activation: 'tanh', inputShape: [4] }), st.layers.dense({ units: 2 })] });
  const dir = join(scratch, 'tfjs');
  await model.save(dir);
  model.setWeights(model.getWeights().map((w, i) => st.randomNormal(w.shape, { seed: 60 + i })));
  await model.save(dir); // over a model that uses the plain shard names: this save's names are its own
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
  assert.match(json.weightsManifest[0].paths[0], /^group1-\d+-[0-9a-f]+-shard1of1\.bin$/);
  // TF.js loads the folder as served over http: weight paths resolve beside model.json.
  const fetchFunc = (async (url: string) => new Response(readFileSync(join(dir, new URL(url).pathname.split('/').pop()!)))) as typeof fetch;
  const tfModel = await tf.loadLayersModel(tf.io.http('http://models.invalid/m/model.json', { fetchFunc }));
  const x = st.randomNormal([3, 4], { seed: 70 });
  const got = tfModel.predict(tf.tensor(Array.from(x.values), x.shape)) as import('@tensorflow/tfjs').Tensor;
  const want = model.predict(x) as st.Tensor;
  const g = got.dataSync();
  want.values.forEach((v, i) => assert.ok(Math.abs(g[i] - v) < 1e-5, `TF.js prediction ${i}: ${g[i]} vs ${v}`));
});

test('loading a folder that an interrupted save left without a model says so', async () => {
  const first = join(scratch, 'first');
  mkdirSync(first);
  writeFileSync(join(first, '.model.json.saving-99999999-abcd1234'), '{');
  await assert.rejects(io.loadLayersModel(first), (e: Error) => e instanceof io.ModelFileError &&
    /no model\.json at .*a save into this folder was interrupted before its first model\.json was in place: \.model\.json\.saving-99999999-abcd1234; save again/.test(e.message));
  // What Strata's earlier folder-swapping save left when killed between its two renames.
  mkdirSync(join(scratch, '.legacy.old-1234-abcd1234'));
  await assert.rejects(io.loadLayersModel(join(scratch, 'legacy')), (e: Error) => e instanceof io.ModelFileError &&
    /legacy does not exist \(an interrupted save left .*\.legacy\.old-1234-abcd1234: the \.old-\* folder holds the previous model; rename it to /.test(e.message));
});
