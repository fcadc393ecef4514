import assert from 'node:assert/strict';
import * as st from '../src/index.js';

/**
 * Finite-difference check of a layer's gradients with respect to its input and every trainable
 * weight. Build the layer with dtype 'float64' so the check is precise; `training` picks the mode
 * (give dropout-like layers a fixed seed so both passes see the same mask).
 */
export function expectLayerGradientsClose(layer: st.layers.Layer, x: st.Tensor, training = false,
  opts: st.testing.CheckGradientsOptions = {}): void {
  layer.apply(x, { training }); // builds the weights
  const weights = layer.trainableWeights;
  const report = st.testing.checkGradients((input) => layer.apply(input, { training }) as st.Tensor, [x, ...weights], opts);
  assert.ok(report.ok && report.checked > 0, `${layer.describe()}: gradient check compared ${report.checked} elements`);
}

/** getConfig → serialize → deserialize gives a layer with the same config (and class). */
export function expectConfigRoundTrip(layer: st.layers.Layer): st.layers.Layer {
  const json = JSON.parse(JSON.stringify(st.layers.serialize(layer)));
  const again = st.layers.deserialize(json);
  assert.equal(again.className, layer.className);
  assert.deepEqual(st.layers.serialize(again), st.layers.serialize(layer), `${layer.describe()} round trip`);
  return again;
}
