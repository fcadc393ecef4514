/**
 * Reading a model file from a path or file:// URL, for the loaders that take bytes (ONNX, Keras).
 * Platform-neutral: the Node entry installs the reader (io/register-node.ts); in a browser a path
 * is refused with a message saying what to pass instead.
 */
import { ModelFileError } from './errors.js';

/** Reads the file at a path or file:// URL, refusing files over `maxBytes`; `where` names the caller in errors. */
export type LocalFileReader = (source: string, maxBytes: number, where: string) => Promise<Uint8Array>;

let reader: LocalFileReader | null = null;

/** Installs the reader (the Node entry does). */
export function setLocalFileReader(r: LocalFileReader): void {
  reader = r;
}

/** True once a reader is installed (Node); in a browser, strings are URLs instead. */
export function hasLocalFileReader(): boolean {
  return reader !== null;
}

/** The bytes of a local model file, through the installed reader. */
export function readLocalFile(source: string, maxBytes: number, where: string): Promise<Uint8Array> {
  if (!reader) {
    return Promise.reject(new ModelFileError(`${where}: '${source}' is a file path, which only Node reads; in a browser pass its http(s) ` +
      `URL, a File from an <input type="file">, or its bytes as an ArrayBuffer or Uint8Array`));
  }
  return reader(source, maxBytes, where);
}
