/** The Node reader of local model files (installed by io/register-node.ts): size checked before reading. */
import { readFile, stat } from 'node:fs/promises';
import { ModelFileError } from './errors.js';
import { pathFromFileUrl } from './file-url.js';

/** The bytes of a model file; refuses a missing file or one larger than `maxBytes`. */
export async function readModelFile(source: string, maxBytes: number, where: string): Promise<Uint8Array> {
  const path = pathFromFileUrl(source);
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new ModelFileError(`${where}: '${path}' is not a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    throw new ModelFileError(`${where}: cannot read '${path}': ${(e as Error).message}`);
  }
  if (size > maxBytes) {
    throw new ModelFileError(`${where}: '${path}' is ${size} bytes, more than the ${maxBytes} allowed (option maxWeightBytes)`);
  }
  const buf = await readFile(path);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
