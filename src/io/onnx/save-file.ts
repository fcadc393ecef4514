/**
 * `model.save('path.onnx')` in Node: the exported bytes written beside the target, synced, then
 * renamed over it, so a crash never leaves half a file. Registered as a save router by io/register-node.ts.
 */
import type { Model } from '../../model/model.js';
import type { SaveResult } from '../types.js';
import { exportOnnx } from './export.js';

/** True for a save target that names an ONNX file ('model.onnx', 'file:///tmp/model.onnx'). */
export function isOnnxTarget(target: unknown): target is string {
  return typeof target === 'string' && /\.onnx$/i.test(target) && !/^[a-z]+:\/\//i.test(target.replace(/^file:\/\//i, ''));
}

/** Writes `exportOnnx(model)` to `target` atomically; returns its path and size. */
export async function saveOnnxFile(model: Model, target: string): Promise<SaveResult> {
  const bytes = exportOnnx(model);
  const { open, rename, rm } = await import('node:fs/promises');
  const { fileURLToPath } = await import('node:url');
  const file = /^file:\/\//i.test(target) ? fileURLToPath(target) : target;
  const tmp = `${file}.tmp-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return { location: file, modelBytes: bytes.length };
}
