/** Side effect of the Node entry: st.data.csv and friends read local files with a stream. */
import { createReadStream } from 'node:fs';
import { DatasetFormatError } from '../datasets/errors.js';
import { pathFromFileUrl } from '../io/file-url.js';
import { localText } from './text-source.js';

localText.reader = async function* readFile(url: string, where: string, chunkBytes: number): AsyncGenerator<string> {
  // file://./data.csv (tfjs-node style) is a relative path, which fileURLToPath rejects.
  const path = pathFromFileUrl(url);
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: chunkBytes });
  try {
    for await (const chunk of stream) yield chunk as string;
  } catch (e) {
    throw new DatasetFormatError(`${where}: cannot read '${path}': ${(e as Error).message} — pass an existing file path or file:// URL`);
  } finally {
    stream.destroy();
  }
};
