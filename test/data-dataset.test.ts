import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { elements, tfjs } from './data-helpers.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Lib = any; // st.data or tf.data: the same calls on both

// Pipelines run on st.data and on TensorFlow.js 4.22's tf.data; elements and sizes must agree.
const pipelines: [string, (d: Lib) => { size: number | null; toArray(): Promise<unknown[]> }][] = [
  ['map → filter → take', (d) => d.array([1, 2, 3, 4, 5, 6, 7]).map((x: number) => x * 10).filter((x: number) => x % 20 !== 0).take(3)],
  ['repeat(3) → skip(2) → take(5)', (d) => d.array([1, 2, 3]).repeat(3).skip(2).take(5)],
  ['repeat(0)', (d) => d.array([1, 2, 3]).repeat(0)],
  ['take(0)', (d) => d.array([1, 2, 3]).take(0)],
  ['skip past the end', (d) => d.array([1, 2, 3]).skip(10)],
  ['take more than there is', (d) => d.array([1, 2, 3]).take(10)],
  ['concatenate → skip', (d) => d.array([1, 2]).concatenate(d.array([3, 4, 5])).skip(1)],
  ['repeat → batch of objects', (d) => d.array([{ a: 1, b: [1, 2] }, { a: 2, b: [3, 4] }]).repeat(2).batch(3)],
  ['zip of an array, shortest wins', (d) => d.zip([d.array([1, 2]), d.array([5, 6, 7])])],
  ['zip of an object', (d) => d.zip({ xs: d.array([[1, 2], [3, 4]]), ys: d.array([0, 1]) })],
  ['zip of nested objects → batch', (d) => d.zip({ a: d.array([1, 2, 3]), b: { c: d.array([[5], [6], [7]]) } }).batch(2)],
  ['generator → take → repeat', (d) => d.generator(function* () {
    for (let i = 0; ; i++) yield i * i;
  }).take(3).repeat(2)],
  ['mapAsync', (d) => d.array([1, 2, 3]).mapAsync(async (x: number) => ({ x, y: x + 0.5 }))],
  ['prefetch keeps values and order', (d) => d.array([1, 2, 3, 4, 5]).prefetch(2).map((x: number) => -x)],
];

for (const [name, build] of pipelines) {
  test(`st.data matches tf.data: ${name}`, async () => {
    const tf = await tfjs();
    const ours = build(st.data);
    const theirs = build(tf.data);
    assert.deepEqual(await elements(ours), await elements(theirs));
    // TensorFlow.js reports NaN for a zip of nested objects (its min over an undefined size); ours counts.
    if (name.startsWith('zip of nested')) assert.equal(ours.size, 2);
    else assert.equal(ours.size, theirs.size);
  });
}

test('sizes follow tf.data where it knows them, and stay sane where it does not', async () => {
  const tf = await tfjs();
  const a = (d: Lib) => d.array([1, 2, 3, 4, 5]);
  const cases: [string, (d: Lib) => { size: number | null }][] = [
    ['repeat()', (d) => a(d).repeat()],
    ['repeat(2)', (d) => a(d).repeat(2)],
    ['filter', (d) => a(d).filter(() => true)],
    ['repeat().filter', (d) => a(d).repeat().filter(() => true)],
    ['batch(2)', (d) => a(d).batch(2)],
    ['batch(2, false)', (d) => a(d).batch(2, false)],
    ['repeat().batch(2)', (d) => a(d).repeat().batch(2)],
    ['generator', (d) => d.generator(function* () { yield 1; })],
    ['generator.batch', (d) => d.generator(function* () { yield 1; }).batch(4)],
    ['concatenate', (d) => a(d).concatenate(a(d))],
    ['concatenate generator', (d) => a(d).concatenate(d.generator(function* () { yield 1; }))],
    ['skip(2)', (d) => a(d).skip(2)],
    ['take(2)', (d) => a(d).take(2)],
    ['shuffle', (d) => a(d).shuffle(3)],
  ];
  for (const [name, build] of cases) assert.equal(build(st.data).size, build(tf.data).size, name);
  // TensorFlow.js says -1 and 0 here although both give all 5 elements.
  assert.equal(a(st.data).take(-1).size, 5);
  assert.equal(a(st.data).skip(-1).size, 5);
  assert.deepEqual(await a(st.data).take(-1).toArray(), [1, 2, 3, 4, 5]);
  assert.deepEqual(await a(st.data).skip(-1).toArray(), [1, 2, 3, 4, 5]);
});

test('generator: sync and async generator functions and iterator functions, restarted every pass', async () => {
  let calls = 0;
  const sync = st.data.generator(function* () {
    calls++;
    for (let i = 0; i < 3; i++) yield { xs: [i], ys: [2 * i] };
  });
  assert.equal(sync.size, null);
  assert.deepEqual(await sync.toArray(), [{ xs: [0], ys: [0] }, { xs: [1], ys: [2] }, { xs: [2], ys: [4] }]);
  assert.equal((await sync.toArray()).length, 3);
  assert.equal(calls, 2);

  const asyncGen = st.data.generator(async function* () {
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 1));
      yield i;
    }
  });
  assert.deepEqual(await asyncGen.toArray(), [0, 1, 2]);

  // The jena-weather example returns a plain { next } object.
  const iteratorFn = st.data.generator(() => {
    let i = 0;
    return { next: () => (i < 4 ? { value: i++, done: false } : { value: undefined, done: true }) };
  });
  assert.deepEqual(await iteratorFn.batch(3).toArray().then((bs) => bs.map((b) => Array.from((b as st.Tensor).values))), [[0, 1, 2], [3]]);

  // A promise of an iterator works too.
  assert.deepEqual(await st.data.generator(async () => [7, 8][Symbol.iterator]()).toArray(), [7, 8]);
});

test('generator and array reject what they cannot read, saying what to pass', async () => {
  const gen = (function* () { yield 1; })();
  assert.throws(() => st.data.generator(gen as never), (e: Error) => e instanceof st.ConfigError && /generator function itself/.test(e.message));
  assert.throws(() => st.data.array(5 as never), st.ConfigError);
  await assert.rejects(st.data.generator(() => 5 as never).toArray(), /must return an iterator/);
  assert.throws(() => st.data.array([1]).batch(0), /batchSize must be a positive integer, got number 0/);
  assert.throws(() => st.data.array([1]).take(1.5), /count must be an integer/);
  assert.throws(() => st.data.array([1]).prefetch(0), st.ConfigError);
  assert.throws(() => st.data.zip(st.data.array([1]) as never), /array or object of Datasets/);
  assert.throws(() => st.data.zip({ a: 5 } as never), /leaves must be Datasets/);
  assert.throws(() => st.data.zip([]), /no datasets/);
  await assert.rejects(st.data.array([1]).repeat().toArray(), /infinite/);
});

test('func shares one stream across passes, as tf.data.func', async () => {
  let i = 0;
  const ds = st.data.func(() => ({ value: i++, done: i > 5 }));
  assert.deepEqual(await ds.take(2).toArray(), [0, 1]);
  assert.deepEqual(await ds.toArray(), [2, 3, 4]);
});

test('iterator(): next() protocol, for await, and in-order answers to concurrent next() calls', async () => {
  const ds = st.data.array([10, 20, 30]).mapAsync(async (x) => {
    await new Promise((r) => setTimeout(r, 40 - x)); // later elements finish sooner
    return x + 1;
  });
  const it = await ds.iterator();
  const rs = await Promise.all([it.next(), it.next(), it.next(), it.next()]);
  assert.deepEqual(rs.map((r) => r.value), [11, 21, 31, undefined]);
  assert.deepEqual(rs.map((r) => r.done), [false, false, false, true]);
  const seen: number[] = [];
  for await (const x of await ds.iterator()) seen.push(x);
  assert.deepEqual(seen, [11, 21, 31]);
});

test('forEachAsync awaits each call before reading the next element', async () => {
  const log: string[] = [];
  let read = 0;
  const ds = st.data.generator(function* () {
    for (let i = 0; i < 3; i++) {
      read++;
      log.push(`read ${i}`);
      yield i;
    }
  });
  await ds.forEachAsync(async (x) => {
    await new Promise((r) => setTimeout(r, 2));
    log.push(`done ${x} (read ${read})`);
  });
  assert.deepEqual(log, ['read 0', 'done 0 (read 1)', 'read 1', 'done 1 (read 2)', 'read 2', 'done 2 (read 3)']);
});

test('prefetch(n) reads n elements ahead of the consumer; take reads none past its count', async () => {
  let read = 0;
  const source = () => st.data.generator(function* () {
    for (let i = 0; i < 100; i++) {
      read++;
      yield i;
    }
  });
  const it = await source().prefetch(4).iterator();
  assert.deepEqual(await it.next(), { value: 0, done: false });
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(read, 4);
  read = 0;
  assert.deepEqual(await source().take(3).toArray(), [0, 1, 2]);
  assert.equal(read, 3);
});

test('repeat() without a count on an empty dataset ends instead of spinning', async () => {
  assert.deepEqual(await st.data.generator(function* () { /* nothing */ }).repeat().take(3).toArray(), []);
});

test('a failing generator rejects the read that reaches it, also through prefetch', async () => {
  const ds = st.data.generator(function* () {
    yield 1;
    throw new Error('boom at 2');
  });
  await assert.rejects(ds.prefetch(3).toArray(), /boom at 2/);
  await assert.rejects(ds.map((x) => x).toArray(), /boom at 2/);
});

test('ending a pass early closes the source (its finally runs), through every stage', async () => {
  let closed = 0;
  const src = () => st.data.generator(function* () {
    try {
      for (let i = 0; i < 100; i++) yield i;
    } finally {
      closed++;
    }
  });
  const early: [string, st.data.Dataset<unknown>][] = [
    ['take', src().take(1)],
    ['map → filter → skip → take', src().map((x) => x + 1).filter((x) => x % 2 === 0).skip(1).take(2)],
    ['batch', src().batch(4).take(1)],
    ['shuffle', src().shuffle(5, 1).take(1)],
    ['prefetch', src().prefetch(3).take(1)],
    ['repeat', src().repeat(3).take(1)],
    ['concatenate', src().concatenate(src()).take(1)],
    ['zip', st.data.zip({ a: src(), b: src() }).take(1)],
  ];
  for (const [name, ds] of early) {
    closed = 0;
    await ds.toArray();
    assert.equal(closed, name === 'zip' ? 2 : 1, name);
  }
  closed = 0;
  for await (const x of await src().iterator()) if (x === 3) break;
  assert.equal(closed, 1, 'for await … break');
});
