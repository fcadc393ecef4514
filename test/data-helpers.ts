// Helpers of the data-*.test.ts files: run one pipeline on st.data and on TensorFlow.js 4.22's
// tf.data, and compare what comes out in a plain form.

/** The TensorFlow.js library on its cpu backend (imported once, on first use). */
export async function tfjs(): Promise<typeof import('@tensorflow/tfjs')> {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  return tf;
}

interface TensorShaped {
  shape: number[];
  dtype: string;
  dataSync(): ArrayLike<number>;
}

function isTensor(v: unknown): v is TensorShaped {
  return !!v && typeof v === 'object' && typeof (v as TensorShaped).dataSync === 'function' && Array.isArray((v as TensorShaped).shape);
}

/** An element in plain JSON-able form: a tensor becomes { shape, values } (float values rounded to 6 digits). */
export function plain(v: unknown): unknown {
  if (isTensor(v)) return { shape: v.shape, values: Array.from(v.dataSync(), (x) => Math.round(x * 1e6) / 1e6 + 0) };
  if (ArrayBuffer.isView(v)) return Array.from(v as Float32Array);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** Every element of a dataset (st or tf), in plain form. */
export async function elements(ds: { toArray(): Promise<unknown[]> }): Promise<unknown[]> {
  return (await ds.toArray()).map(plain);
}
