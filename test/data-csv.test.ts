import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as st from '../src/index.js';
import { csvRows } from '../src/data/csv-rows.js';
import { elements, tfjs } from './data-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'strata-csv-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

// Quoted fields with the delimiter inside, an empty field, a string column, a label column.
const IRIS = 'sepal_length,sepal_width,species,note,label\n' +
  '5.1,3.5,setosa,"small, round",0\n' +
  '7.0,3.2,versicolor,,1\n' +
  '6.3,3.3,"virginica","a ""quote""",2\n' +
  '4.9,3.0,setosa,plain,0\n';
const iris = file('iris.csv', IRIS);

const configs: [string, Record<string, unknown>][] = [
  ['defaults', {}],
  ['a label column', { columnConfigs: { label: { isLabel: true } } }],
  ['configured columns only, int32 and a default', {
    columnConfigs: { sepal_length: { dtype: 'int32' }, note: { default: 'none' }, label: { isLabel: true } },
    configuredColumnsOnly: true,
  }],
  ['bool dtype', { columnConfigs: { label: { dtype: 'bool' }, species: { dtype: 'bool' } } }],
];

for (const [name, config] of configs) {
  test(`csv records match tf.data.csv: ${name}`, async () => {
    const tf = await tfjs();
    const ours = st.data.csv(iris, config);
    const theirs = tf.data.csv(`file://${iris}`, config);
    const got = await elements(ours);
    const want = await elements(theirs);
    // tf.data leaves doubled quotes doubled (its own line splitter); papaparse reads RFC 4180: a "quote".
    const fix = (v: unknown): unknown => (typeof v === 'string' ? v.replace('""quote""', '"quote"') : v && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fix(x)])) : v);
    assert.deepEqual(got, want.map(fix));
    assert.deepEqual(await ours.columnNames(), await theirs.columnNames());
    assert.equal(got.length, 4);
  });
}

test('csv records hold numbers, strings, undefined for empty fields, and { xs, ys } with a label', async () => {
  const rows = await st.data.csv(iris, { columnConfigs: { label: { isLabel: true } } }).toArray();
  assert.deepEqual(rows[0], { xs: { sepal_length: 5.1, sepal_width: 3.5, species: 'setosa', note: 'small, round' }, ys: { label: 0 } });
  assert.deepEqual(rows[1], { xs: { sepal_length: 7, sepal_width: 3.2, species: 'versicolor', note: undefined }, ys: { label: 1 } });
  assert.equal((rows[2] as { xs: { note: string } }).xs.note, 'a "quote"');
});

test('csv without a header, with another delimiter, CRLF line ends and a byte-order mark; file:// URLs', async () => {
  const tf = await tfjs();
  const path = file('semi.csv', '\uFEFF1;2;"x;y"\r\n3;4;z\r\n\r\n5;6;w');
  const config = { hasHeader: false, columnNames: ['a', 'b', 'c'], delimiter: ';' };
  const got = await elements(st.data.csv(pathToFileURL(path).href, config));
  assert.deepEqual(got, [{ a: 1, b: 2, c: 'x;y' }, { a: 3, b: 4, c: 'z' }, { a: 5, b: 6, c: 'w' }]);
  // tf.data agrees except on the empty line, which it cannot parse (ours skips it).
  const theirs = await elements(tf.data.csv(`file://${file('semi2.csv', '1;2;"x;y"\r\n3;4;z\r\n5;6;w')}`, config));
  assert.deepEqual(got, theirs);
  assert.deepEqual(await st.data.csv(path, config).columnNames(), ['a', 'b', 'c']);
  // A byte-order mark before a header must not stick to the first column's name.
  const bom = file('bom.csv', '\uFEFFid,v\n7,8\n');
  assert.deepEqual(await st.data.csv(bom).columnNames(), ['id', 'v']);
  assert.deepEqual(await st.data.csv(bom).toArray(), [{ id: 7, v: 8 }]);
});

test('delimWhitespace splits on runs of spaces, as tf.data', async () => {
  const tf = await tfjs();
  const path = file('ws.txt', 'a  b c\n1 2    3\n  4 5 6\n');
  const got = await elements(st.data.csv(path, { delimWhitespace: true }));
  assert.deepEqual(got, [{ a: 1, b: 2, c: 3 }, { a: 4, b: 5, c: 6 }]);
  assert.deepEqual(got, await elements(tf.data.csv(`file://${path}`, { delimWhitespace: true })));
});

test('a quoted field may span lines (tf.data splits lines first and cannot)', async () => {
  const path = file('multiline.csv', 'id,text\n1,"line one\nline two"\n2,"x"\n');
  assert.deepEqual(await st.data.csv(path).toArray(), [{ id: 1, text: 'line one\nline two' }, { id: 2, text: 'x' }]);
});

test('csv rows come out the same whatever the chunk boundaries', async () => {
  const text = 'h1,h2,h3\r\n"a,1","b\r\nc",3\r\n"",x,"y ""z"""\r\n4,5,6';
  const whole = await collect(chunked(text, text.length));
  assert.deepEqual(whole, [['h1', 'h2', 'h3'], ['a,1', 'b\r\nc', '3'], ['', 'x', 'y "z"'], ['4', '5', '6']]);
  for (const size of [1, 2, 3, 5, 7, 11]) assert.deepEqual(await collect(chunked(text, size)), whole, `chunks of ${size}`);
  assert.deepEqual(await collect(chunked('a\rb\rc', 1)), [['a'], ['b'], ['c']], 'old Mac line ends');
});

async function* chunked(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}
async function collect(chunks: AsyncIterable<string>): Promise<string[][]> {
  const out: string[][] = [];
  for await (const row of csvRows(chunks, { delimiter: ',', where: 'test' })) out.push(row);
  return out;
}

test('csv over http(s) streams the fetch body (fetch stubbed: no network in tests)', async () => {
  const original = globalThis.fetch;
  const asked: string[] = [];
  const encoder = new TextEncoder();
  // Multi-byte characters split across chunks must decode whole.
  const bytes = encoder.encode('city,temp\nZürich,3.5\n"São Paulo, BR",24\n');
  globalThis.fetch = (async (url: string) => {
    asked.push(String(url));
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 3) c.enqueue(bytes.slice(i, i + 3));
        c.close();
      },
    });
    return new Response(body, { status: 200 });
  }) as typeof fetch;
  try {
    const rows = await st.data.csv('https://example.com/weather.csv').toArray();
    assert.deepEqual(rows, [{ city: 'Zürich', temp: 3.5 }, { city: 'São Paulo, BR', temp: 24 }]);
    assert.deepEqual(asked, ['https://example.com/weather.csv', 'https://example.com/weather.csv']); // header, then the pass
    // take(1) cancels the download instead of reading the rest.
    let cancelled = 0;
    globalThis.fetch = (async () => new Response(new ReadableStream<Uint8Array>({
      pull(c) { c.enqueue(encoder.encode('n\n1\n2\n3\n')); }, // endless
      cancel() { cancelled++; },
    }))) as typeof fetch;
    assert.deepEqual(await st.data.csv('https://example.com/endless.csv').take(2).toArray(), [{ n: 1 }, { n: 2 }]);
    assert.equal(cancelled, 2, 'the header read and the pass both cancel their download');
    globalThis.fetch = (async () => new Response('gone', { status: 404, statusText: 'Not Found' })) as typeof fetch;
    await assert.rejects(st.data.csv('https://example.com/missing.csv').toArray(), /answered 404 Not Found/);
  } finally {
    globalThis.fetch = original;
  }
});

test('csv feeds a model pipeline: map records to features and labels, then batch', async () => {
  const ds = st.data.csv(iris, { columnConfigs: { label: { isLabel: true } } })
    .map((r) => {
      const { xs, ys } = r as { xs: Record<string, number>; ys: Record<string, number> };
      return { xs: [xs.sepal_length, xs.sepal_width], ys: ys.label };
    })
    .batch(3);
  const [b0, b1] = (await ds.toArray()) as { xs: st.Tensor; ys: st.Tensor }[];
  assert.deepEqual(b0.xs.shape, [3, 2]);
  assert.deepEqual(Array.from(b0.ys.values), [0, 1, 2]);
  assert.deepEqual(Array.from(b1.xs.values), [4.9, 3].map(Math.fround));
});

test('csv errors name the file, row or column and the fix', async () => {
  await assert.rejects(st.data.csv(join(dir, 'nope.csv')).toArray(), (e: Error) =>
    e instanceof st.StrataError && e.message.includes('nope.csv') && /cannot read/.test(e.message));
  await assert.rejects(st.data.csv(file('short.csv', 'a,b\n1,2\n3\n')).toArray(), /row 3 has 1 fields but there are 2 columns \(a, b\)/);
  await assert.rejects(st.data.csv(file('empty-label.csv', 'a,y\n1,\n'), { columnConfigs: { y: { isLabel: true } } }).toArray(),
    /required column 'y' is empty in row 2; give it a default/);
  await assert.rejects(st.data.csv(iris, { columnConfigs: { labell: { isLabel: true } } }).toArray(), /'labell', which is not a column/);
  await assert.rejects(st.data.csv(iris, { hasHeader: false }).toArray(), /give columnNames/);
  await assert.rejects(st.data.csv(iris, { columnNames: ['a', 'b'] }).columnNames(), /columnNames has 2 names but the header line has 5/);
  await assert.rejects(st.data.csv(file('dup.csv', 'a,a\n1,2\n')).toArray(), /duplicate column names: a/);
  await assert.rejects(st.data.csv(file('open.csv', 'a,b\n1,"never closed\n')).toArray(), /quoted field is never closed/);
  assert.throws(() => st.data.csv(iris, { delimiter: ',', delimWhitespace: true }), /either delimiter or delimWhitespace/);
  assert.throws(() => st.data.csv(42 as never), /file path or URL/);
});

test('csv reads file:// with a relative path from the working directory, as tf.data.csv in Node (abalone-node)', async () => {
  const tf = await tfjs();
  file('rel.csv', 'x,rings\n1,7\n2,9\n');
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const config = { columnConfigs: { rings: { isLabel: true } } };
    const got = await elements(st.data.csv('file://./rel.csv', config));
    assert.deepEqual(got, [{ xs: { x: 1 }, ys: { rings: 7 } }, { xs: { x: 2 }, ys: { rings: 9 } }]);
    assert.deepEqual(got, await elements(tf.data.csv('file://./rel.csv', config)));
    assert.deepEqual(await st.data.csv('file://rel.csv').columnNames(), ['x', 'rings']);
  } finally {
    process.chdir(cwd);
  }
});
