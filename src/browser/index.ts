/** st.browser (browser build): images to tensors and back, as TensorFlow.js's tf.browser. */
export { fromPixels, toPixels, type PixelData, type PixelSource } from './pixels.js';
