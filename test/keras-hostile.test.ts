import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zipSync } from 'fflate';
import * as st from '../src/index.js';
import { kerasArchiveBytes } from '../src/io/keras/save-keras.js';
import { type H5File, h5Bytes, keras2H5, rng } from './keras-helpers.js';

// Hostile .keras and .h5 files are refused with a ModelFileError that says what is wrong, before
// anything large is allocated; seeded mutations of valid files either load (and run) or are refused.

const LIMITS = { maxWeightBytes: 2 ** 20, parseTimeoutMs: 5000 };
const refused = (re: RegExp) => (e: unknown) => {
  assert.ok(e instanceof st.ModelFileError, `expected a ModelFileError, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
  assert.match((e as Error).message, re);
  return true;
};

function small(): st.Sequential {
  st.setSeed(21);
  return st.sequential({ layers: [st.layers.dense({ units: 3, activation: 'relu', inputShape: [4], name: 'dense' }), st.layers.dense({ units: 2, name: 'out' })] });
}

async function archiveParts(): Promise<{ metadata: Uint8Array; config: Uint8Array; weights: Uint8Array }> {
  const { unzipSync } = await import('fflate');
  const z = unzipSync(await kerasArchiveBytes(small()));
  return { metadata: z['metadata.json'], config: z['config.json'], weights: z['model.weights.h5'] };
}

test('.keras: a member path that leaves the archive (../, absolute) is refused', async () => {
  const p = await archiveParts();
  for (const evil of ['../evil.sh', '/etc/evil', 'assets/../../x', 'C:/x']) {
    const zip = zipSync({ 'config.json': p.config, 'model.weights.h5': p.weights, [evil]: new Uint8Array([1]) });
    await assert.rejects(st.loadKerasModel(zip), refused(/member name .* is not a relative path inside the archive/));
  }
});

test('.keras: a zip bomb (member inflating past the cap) is refused before inflating', async () => {
  const p = await archiveParts();
  const bomb = zipSync({ 'config.json': p.config, 'model.weights.h5': [new Uint8Array(8 * 2 ** 20), { level: 9 }] });
  assert.ok(bomb.length < 100_000);
  await assert.rejects(st.loadKerasModel(bomb, LIMITS), refused(/'model.weights.h5' declares 8388608 bytes, more than the \d+ allowed/));
  const jsonBomb = zipSync({ 'config.json': [new Uint8Array(2 ** 20).fill(32), { level: 9 }], 'model.weights.h5': p.weights });
  await assert.rejects(st.loadKerasModel(jsonBomb, { maxJsonBytes: 1000 }), refused(/'config.json' declares 1048576 bytes/));
});

test('.keras: a member that lies about its size cannot grow past what it declares', async () => {
  const p = await archiveParts();
  const zip = zipSync({ 'config.json': [p.config, { level: 0 }], 'model.weights.h5': [new Uint8Array(p.weights.length).fill(7), { level: 9 }] });
  // Patch the central directory's uncompressed size of model.weights.h5 to 100 bytes.
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  for (let i = zip.length - 22; i >= 0; i--) {
    if (view.getUint32(i, true) === 0x02014b50 && new TextDecoder().decode(zip.subarray(i + 46, i + 46 + 16)) === 'model.weights.h5') {
      view.setUint32(i + 24, 100, true);
      break;
    }
  }
  await assert.rejects(st.loadKerasModel(zip), refused(/./));
});

test('.keras: truncated archives, missing members, npz weights, bad JSON, gaps in vars are refused', async () => {
  const p = await archiveParts();
  const good = await kerasArchiveBytes(small());
  for (const cut of [10, 100, good.length >> 1, good.length - 5]) {
    await assert.rejects(st.loadKerasModel(good.subarray(0, cut)), refused(/not a readable zip archive|truncated|neither a Keras 3/));
  }
  await assert.rejects(st.loadKerasModel(zipSync({ 'model.weights.h5': p.weights })), refused(/no config.json/));
  await assert.rejects(st.loadKerasModel(zipSync({ 'config.json': p.config })), refused(/no model.weights.h5/));
  await assert.rejects(st.loadKerasModel(zipSync({ 'config.json': p.config, 'model.weights.npz': new Uint8Array(4) })), refused(/model.weights.npz; Strata reads archives saved with weights_format='h5'/));
  await assert.rejects(st.loadKerasModel(zipSync({ 'config.json': new TextEncoder().encode('{"class_name": '), 'model.weights.h5': p.weights })), refused(/config.json: malformed JSON/));
  const gap = await h5Bytes((f) => {
    const v = f.create_group('layers').create_group('dense').create_group('vars');
    v.create_dataset({ name: '0', data: new Float32Array(12), shape: [4, 3], dtype: '<f' });
    v.create_dataset({ name: '2', data: new Float32Array(3), shape: [3], dtype: '<f' });
  });
  await assert.rejects(st.loadKerasModel(zipSync({ 'config.json': p.config, 'model.weights.h5': gap })), refused(/'layers\/dense\/vars' holds \["0","2"\]; expected variables named 0 to 1/));
  await assert.rejects(st.loadKerasModel(zipSync({ 'config.json': p.config, 'model.weights.h5': new Uint8Array(500).fill(1) })), refused(/not an HDF5 file/));
});

test('.h5: absurd dataset shapes are refused before reading, shapes that disagree with the model too', async () => {
  const m = small();
  const huge = await keras2H5(m, {
    edit: (f) => {
      const g = f.get('model_weights/dense/dense') as ReturnType<typeof f.create_group>;
      // A chunked dataset resized to 2^30 × 2^30: 4 EiB declared, nothing stored.
      const d = g.create_dataset({ name: 'huge', data: new Float32Array(4), shape: [2, 2], dtype: '<f', maxshape: [null, null], chunks: [2, 2] });
      d.resize([2 ** 30, 2 ** 30]);
      const wg = f.get('model_weights/dense') as ReturnType<typeof f.create_group>;
      wg.delete_attribute('weight_names');
      wg.create_attribute('weight_names', ['dense/huge', 'dense/bias:0']);
    },
  });
  await assert.rejects(st.loadKerasModel(huge, LIMITS), refused(/dataset 'model_weights\/dense\/dense\/huge': shape \[1073741824,1073741824\] needs more than \d+ bytes/));
  const wrong = await keras2H5(m, {
    edit: (f) => {
      const wg = f.get('model_weights/dense') as ReturnType<typeof f.create_group>;
      wg.delete_attribute('weight_names');
      wg.create_attribute('weight_names', ['dense/bias:0', 'dense/kernel:0']);
    },
  });
  await assert.rejects(st.loadKerasModel(wrong), refused(/weight 'dense\/dense\/bias:0' has shape \[3\] but the model's 'dense\/kernel' has shape \[4, 3\]/));
});

test('.h5: dangling references (layer_names, weight_names, soft links) and non-numeric weights are refused', async () => {
  const m = small();
  const edit = (fn: (f: H5File) => void) => keras2H5(m, { edit: fn });
  const names = await edit((f) => {
    const mw = f.get('model_weights') as ReturnType<typeof f.create_group>;
    mw.delete_attribute('layer_names');
    mw.create_attribute('layer_names', ['dense', 'ghost']);
  });
  await assert.rejects(st.loadKerasModel(names), refused(/layer_names lists 'ghost' but there is no group 'model_weights\/ghost'/));
  const wn = await edit((f) => {
    const g = f.get('model_weights/dense') as ReturnType<typeof f.create_group>;
    g.delete_attribute('weight_names');
    g.create_attribute('weight_names', ['dense/kernel:0', 'dense/nothing:0']);
  });
  await assert.rejects(st.loadKerasModel(wn), refused(/layer 'dense' lists weight 'dense\/nothing:0' but there is no dataset/));
  const link = await edit((f) => {
    const g = f.get('model_weights/dense/dense') as ReturnType<typeof f.create_group>;
    g.create_soft_link('/nowhere/at/all', 'linked');
    const wg = f.get('model_weights/dense') as ReturnType<typeof f.create_group>;
    wg.delete_attribute('weight_names');
    wg.create_attribute('weight_names', ['dense/linked', 'dense/bias:0']);
  });
  await assert.rejects(st.loadKerasModel(link), refused(/is a link to "\/nowhere\/at\/all" that Strata does not follow|could not read 'model_weights\/dense\/dense\/linked'/));
  const text = await edit((f) => {
    const g = f.get('model_weights/dense/dense') as ReturnType<typeof f.create_group>;
    g.create_dataset({ name: 'words', data: ['a', 'b'] });
    const wg = f.get('model_weights/dense') as ReturnType<typeof f.create_group>;
    wg.delete_attribute('weight_names');
    wg.create_attribute('weight_names', ['dense/words', 'dense/bias:0']);
  });
  await assert.rejects(st.loadKerasModel(text), refused(/dataset 'model_weights\/dense\/dense\/words' has type string .*; weights must be numbers/));
  const noConfig = await h5Bytes((f) => f.create_attribute('something', 'else'));
  await assert.rejects(st.loadKerasModel(noConfig), refused(/no model_config attribute; this HDF5 file is not a Keras full-model .h5/));
  await assert.rejects(st.loadKerasModel(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9])), refused(/neither a Keras 3 .keras archive \(zip\) nor a Keras 2 .h5 file/));
});

test('.h5: absurd sizes in the config are refused before building (maxActivationBytes)', async () => {
  const m = small();
  const bytes = await keras2H5(m, {
    edit: (f) => {
      const topo = JSON.parse(String(f.attrs.model_config.value));
      topo.config.layers[0].config.units = 2 ** 29;
      f.delete_attribute('model_config');
      f.create_attribute('model_config', JSON.stringify(topo));
    },
  });
  await assert.rejects(st.loadKerasModel(bytes, LIMITS), refused(/would make weight 'kernel' of shape \[4,536870912\], more than the 1048576 bytes allowed/));
});

/** Seeded mutations: byte flips, runs of random bytes, truncations, duplicated slices. */
function mutate(bytes: Uint8Array, r: () => number): Uint8Array {
  const b = bytes.slice();
  const kind = Math.floor(r() * 4);
  if (kind === 0) for (let k = 1 + Math.floor(r() * 8); k > 0; k--) b[Math.floor(r() * b.length)] ^= 1 << Math.floor(r() * 8);
  else if (kind === 1) {
    const at = Math.floor(r() * b.length);
    for (let i = at; i < Math.min(b.length, at + 1 + Math.floor(r() * 64)); i++) b[i] = Math.floor(r() * 256);
  } else if (kind === 2) return b.subarray(0, Math.floor(r() * b.length));
  else {
    const at = Math.floor(r() * b.length), len = Math.floor(r() * 256);
    const out = new Uint8Array(b.length + len);
    out.set(b.subarray(0, at));
    out.set(b.subarray(at, at + len), at);
    out.set(b.subarray(at), at + Math.min(len, b.length - at));
    return out;
  }
  return b;
}

async function fuzz(name: string, valid: Uint8Array, runs: number, seed: number): Promise<void> {
  const r = rng(seed);
  const x = st.randomNormal([2, 4], 0, 1, 'float32', 1);
  let loaded = 0, refusedCount = 0;
  for (let i = 0; i < runs; i++) {
    const bad = mutate(valid, r);
    try {
      const m = await st.loadKerasModel(bad, LIMITS);
      m.predict(x);
      loaded++;
    } catch (e) {
      if (!(e instanceof st.ModelFileError)) assert.fail(`${name} mutation ${i}: ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack}`);
      refusedCount++;
    }
  }
  assert.equal(loaded + refusedCount, runs);
  assert.ok(refusedCount > 0, `${name}: some mutations must be refused`);
}

test('fuzz: mutated .keras archives load or are refused with a ModelFileError', async () => {
  await fuzz('.keras', await kerasArchiveBytes(small()), 150, 1);
});

test('fuzz: mutated Keras 2 .h5 files load or are refused with a ModelFileError', async () => {
  await fuzz('.h5', await keras2H5(small()), 150, 2);
});
