/**
 * Save handlers for single-file formats (`.onnx`, `.keras`), on every platform: the model is encoded
 * to bytes (st.io.exportOnnx, a Keras 3 archive), then `write` puts them where the URL says (a file
 * in Node, a download in a browser). Each entry registers them by file extension.
 */
import type { Model } from '../model/model.js';
import { exportOnnx } from './onnx/export.js';
import { kerasArchiveBytes } from './keras/save-keras.js';
import { modelFromArtifacts } from './load.js';
import type { IOHandler, ModelArtifacts, SaveContext, SaveResult } from './types.js';

/** Encodes a model as one file's bytes. */
export type ModelEncoder = (model: Model) => Uint8Array | Promise<Uint8Array>;

/** The single-file formats by extension, with what the router label says about each. */
export const SINGLE_FILE_FORMATS: { ext: string; what: string; encode: ModelEncoder }[] = [
  { ext: '.onnx', what: "st.io.exportOnnx's bytes", encode: exportOnnx },
  { ext: '.keras', what: 'a Keras 3 archive', encode: kerasArchiveBytes },
];

/** A save handler that writes `encode(model)` with `write`, which returns where the bytes went. */
export function singleFileSaver(encode: ModelEncoder, write: (bytes: Uint8Array) => Promise<string>): IOHandler {
  return {
    async save(artifacts: ModelArtifacts, ctx?: SaveContext): Promise<SaveResult> {
      const bytes = await encode(ctx?.model ?? modelFromArtifacts(artifacts));
      return { location: await write(bytes), modelBytes: bytes.length };
    },
  };
}
