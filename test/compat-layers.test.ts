import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as st from '../src/index.js';
import { expectClose, expectError } from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'strata-compat-layers-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

// A custom layer written the way TF.js programs write them (as in tfjs-examples/custom-layer):
// a static className getter, call(inputs, kwargs) with invokeCallHook, addWeight with TF.js's
// positional arguments, getConfig extending super's, and no computeOutputShape (shape kept).
/* eslint-disable @typescript-eslint/no-explicit-any */
const TfLayer = st.layers.Layer as unknown as new (config?: any) => any;

class ScaleShift extends TfLayer {
  static get className(): string {
    return 'ScaleShift';
  }
  alpha: number;
  scale: any;
  shift: any;
  constructor(config: any = {}) {
    super(config);
    this.alpha = config.alpha ?? 1;
  }
  build(inputShape: (number | null)[]): void {
    const n = inputShape[inputShape.length - 1] as number;
    this.scale = this.addWeight('scale', [n], 'float32', st.initializers.ones());
    this.shift = this.addWeight('shift', [n], undefined, st.initializers.constant({ value: 0.5 }), undefined, true);
    this.built = true;
  }
  call(inputs: st.Tensor | st.Tensor[], kwargs: object): st.Tensor {
    this.invokeCallHook(inputs, kwargs);
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return st.add(st.mul(st.mul(x, this.scale.read()), this.alpha), this.shift.read());
  }
  getConfig(): Record<string, unknown> {
    const config = super.getConfig();
    Object.assign(config, { alpha: this.alpha });
    return config;
  }
}

class Antirectifier extends TfLayer {
  static className = 'Antirectifier';
  computeOutputShape(s: (number | null)[]): (number | null)[] {
    return [...s.slice(0, -1), 2 * (s[s.length - 1] as number)];
  }
  call(inputs: st.Tensor | st.Tensor[]): st.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const centered = st.sub(x, st.mean(x, -1, true));
    return st.concat([st.relu(centered), st.relu(st.neg(centered))], -1);
  }
}

st.serialization.registerClass(ScaleShift);
st.serialization.registerClass(Antirectifier);

test('a TF.js-style custom layer trains in a model, saves, and loads by className', async () => {
  st.setSeed(3);
  const model = st.sequential({ layers: [
    st.layers.dense({ units: 4, inputShape: [3] }),
    new ScaleShift({ alpha: 3 }) as unknown as st.layers.Layer,
    new Antirectifier({}) as unknown as st.layers.Layer,
    st.layers.dense({ units: 1 }),
  ] });
  const custom = model.layers[1] as any;
  assert.equal(custom.getClassName?.() ?? custom.className, 'ScaleShift');
  assert.deepEqual(custom.weights.map((w: st.Variable) => w.name.split('/').pop()), ['scale', 'shift']);
  expectClose(custom.shift, [0.5, 0.5, 0.5, 0.5]);
  custom.setWeights([st.tensor([1, 2, 3, 4]), st.tensor([0, -1, 1, 0])]);
  assert.deepEqual(model.layers[2].computeOutputShape([null, 4]), [null, 8]);
  const x = st.randomNormal([5, 3], 0, 1, 'float32', 1);
  const y = model.predict(x) as st.Tensor;
  // The custom layer's own math, checked on the dense output.
  const h = model.layers[0].apply(x) as st.Tensor;
  const want = st.add(st.mul(st.mul(h, st.tensor([1, 2, 3, 4])), 3), st.tensor([0, -1, 1, 0]));
  expectClose(custom.apply(h), want, 1e-5);

  model.compile({ optimizer: st.train.sgd(0.01), loss: 'meanSquaredError' });
  const before = custom.getWeights()[0].dataSync().slice();
  await model.fit(x, st.ones([5, 1]), { epochs: 2, verbose: 0 });
  assert.notDeepEqual(Array.from(custom.getWeights()[0].dataSync()), Array.from(before), 'scale is trained');

  const dir = join(scratch, 'custom');
  await model.save(dir);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const names = json.modelTopology.config.layers.map((l: { class_name: string }) => l.class_name);
  assert.ok(names.includes('ScaleShift') && names.includes('Antirectifier'), names.join(', '));
  const loaded = await st.loadLayersModel(dir);
  const again = loaded.layers.find((l) => l.className === 'ScaleShift') as any;
  assert.ok(again instanceof ScaleShift);
  assert.equal(again.alpha, 3);
  expectClose(loaded.predict(x) as st.Tensor, model.predict(x) as st.Tensor, 1e-6);

  const viaDeserialize = st.layers.deserialize({ class_name: 'ScaleShift', config: { alpha: 5, name: 'ss' } }) as any;
  assert.ok(viaDeserialize instanceof ScaleShift);
  assert.equal(viaDeserialize.alpha, 5);
  void y;
});

test('TF.js-style layers work with st.layers.input in a functional model', () => {
  const inp = st.layers.input({ shape: [4] });
  assert.equal(st.layers.input, st.input);
  const out = (new Antirectifier({}) as unknown as st.layers.Layer).apply(inp) as st.SymbolicTensor;
  assert.deepEqual(out.shape, [null, 8]);
  const m = st.model({ inputs: inp, outputs: out });
  const y = m.predict(st.tensor([[1, 2, 3, 6]])) as st.Tensor;
  expectClose(y, [0, 0, 0, 3, 2, 1, 0, 0]);
});

test('addWeight positional form needs an initializer; registerClass refuses classes without className or not layers', () => {
  class NoInit extends TfLayer {
    static className = 'NoInit';
    build(): void {
      this.addWeight('w', [2], 'float32');
    }
    call(x: st.Tensor): st.Tensor {
      return x;
    }
  }
  expectError(() => (new NoInit({}) as unknown as st.layers.Layer).apply(st.zeros([1, 2])), st.ConfigError, "addWeight('w'", 'needs an initializer');
  class Anonymous extends TfLayer {}
  expectError(() => st.serialization.registerClass(Anonymous as never), st.ConfigError, 'has no static className');
  class NotALayer {
    static className = 'NotALayer';
  }
  expectError(() => st.serialization.registerClass(NotALayer), st.ConfigError, "'NotALayer' is not a subclass of st.layers.Layer");
});

test('models.modelFromJSON builds from a model.json object, a bare topology (TF.js-written), and customObjects', async () => {
  st.setSeed(5);
  const m = st.sequential({ layers: [st.layers.dense({ units: 3, inputShape: [2], activation: 'relu' }), st.layers.dense({ units: 1 })] });
  const topo = st.io.modelArtifacts(m).modelTopology as Record<string, unknown>;
  const rebuilt = await st.models.modelFromJSON({ modelTopology: topo });
  rebuilt.setWeights(m.getWeights());
  const x = st.tensor([[1, -2], [0.5, 3]]);
  expectClose(rebuilt.predict(x) as st.Tensor, m.predict(x) as st.Tensor, 1e-6);

  const tf = await import('@tensorflow/tfjs');
  const tm = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], activation: 'tanh' }), tf.layers.dense({ units: 1 })] });
  const fromTf = await st.models.modelFromJSON(tm.toJSON(null, false) as Record<string, unknown>);
  fromTf.setWeights(tm.getWeights().map((w) => st.tensor(w.dataSync() as Float32Array, w.shape)));
  const xv = [[0.1, -0.4, 2], [1, 1, -1]];
  expectClose(fromTf.predict(st.tensor(xv)) as st.Tensor, Array.from((tm.predict(tf.tensor2d(xv)) as import('@tensorflow/tfjs').Tensor).dataSync()), 1e-5);

  class Doubler extends TfLayer {
    static className = 'DoublerForModelFromJSON';
    call(x: st.Tensor): st.Tensor {
      return st.mul(x, 2);
    }
  }
  const json = { class_name: 'Sequential', config: { name: 's', layers: [
    { class_name: 'DoublerForModelFromJSON', config: { name: 'd', batch_input_shape: [null, 2] } },
  ] } };
  await assert.rejects(st.models.modelFromJSON(json), /DoublerForModelFromJSON/);
  const withCustom = await st.models.modelFromJSON(json, { DoublerForModelFromJSON: Doubler as never });
  expectClose(withCustom.predict(st.tensor([[1, 2]])) as st.Tensor, [2, 4]);
  await assert.rejects(st.models.modelFromJSON({ modelTopology: topo, weightsManifest: [] }), /st\.loadLayersModel/);
});
