/**
 * TensorBoard's event-file format: each Event protobuf framed as a TFRecord. Pure encoding (no
 * file system); event-file-io.ts does the writing. summary-writer.ts loads this module on first use,
 * so `import 'strata'` does not pay for loading protobufjs.
 */
import protobuf from 'protobufjs/light.js';
import crc32c from 'crc-32/crc32c.js';

/**
 * The few messages TensorBoard needs, with the field numbers of TensorFlow's event.proto,
 * summary.proto, tensor.proto and tensor_shape.proto (package `tensorboard`).
 */
const root = protobuf.Root.fromJSON({
  nested: {
    Event: {
      oneofs: { what: { oneof: ['fileVersion', 'summary'] } },
      fields: {
        wallTime: { type: 'double', id: 1 },
        step: { type: 'int64', id: 2 },
        fileVersion: { type: 'string', id: 3 },
        summary: { type: 'Summary', id: 5 },
      },
    },
    Summary: {
      fields: { value: { rule: 'repeated', type: 'Value', id: 1 } },
      nested: {
        Value: {
          oneofs: { value: { oneof: ['simpleValue', 'tensor'] } },
          fields: {
            tag: { type: 'string', id: 1 },
            simpleValue: { type: 'float', id: 2 },
            tensor: { type: 'TensorProto', id: 8 },
            metadata: { type: 'SummaryMetadata', id: 9 },
          },
        },
      },
    },
    SummaryMetadata: {
      fields: {
        pluginData: { type: 'PluginData', id: 1 },
        summaryDescription: { type: 'string', id: 3 },
      },
      nested: { PluginData: { fields: { pluginName: { type: 'string', id: 1 }, content: { type: 'bytes', id: 2 } } } },
    },
    TensorProto: {
      fields: {
        dtype: { type: 'int32', id: 1 }, // enum DataType; DT_FLOAT = 1
        tensorShape: { type: 'TensorShapeProto', id: 2 },
        tensorContent: { type: 'bytes', id: 4 },
      },
    },
    TensorShapeProto: {
      fields: { dim: { rule: 'repeated', type: 'Dim', id: 2 } },
      nested: { Dim: { fields: { size: { type: 'int64', id: 1 } } } },
    },
  },
});
const EventType = root.lookupType('Event');

/** The version string TensorFlow writes as the first event of every file. */
export const FILE_VERSION = 'brain.Event:2';
const DT_FLOAT = 1;

/** The first event of a file: its version, stamped with whole seconds as TensorFlow does. */
export function fileVersionEvent(wallTimeSeconds: number): Uint8Array {
  return EventType.encode(EventType.fromObject({ wallTime: Math.floor(wallTimeSeconds), fileVersion: FILE_VERSION })).finish();
}

/** An Event holding one scalar summary value (`simple_value`, a float32). */
export function scalarEvent(tag: string, value: number, step: number, wallTime: number): Uint8Array {
  return EventType.encode(EventType.fromObject({ wallTime, step, summary: { value: [{ tag, simpleValue: value }] } })).finish();
}

/**
 * An Event holding a histogram the way TensorFlow's histogram plugin stores it: a float32 tensor
 * [k, 3] of (left edge, right edge, count) rows, tagged with the 'histograms' plugin.
 */
export function histogramEvent(tag: string, buckets: Float32Array, step: number, wallTime: number, description?: string): Uint8Array {
  const k = buckets.length / 3;
  const content = new Uint8Array(buckets.length * 4); // tensor_content is little-endian on every platform
  const view = new DataView(content.buffer);
  for (let i = 0; i < buckets.length; i++) view.setFloat32(i * 4, buckets[i], true);
  const metadata: Record<string, unknown> = { pluginData: { pluginName: 'histograms', content: new Uint8Array(0) } };
  if (description !== undefined) metadata.summaryDescription = description;
  return EventType.encode(EventType.fromObject({
    wallTime, step,
    summary: { value: [{ tag, metadata, tensor: { dtype: DT_FLOAT, tensorShape: { dim: [{ size: k }, { size: 3 }] }, tensorContent: content } }] },
  })).finish();
}

/** TFRecord's checksum: CRC-32C rotated right by 15 bits plus a constant, so CRCs of CRCs stay spread. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c.buf(bytes) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** One TFRecord: uint64 length, masked CRC of the length, the data, masked CRC of the data (all little-endian). */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}
