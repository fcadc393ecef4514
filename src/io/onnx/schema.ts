/**
 * The ONNX messages the exporter writes and the importer reads, with the field numbers of the public onnx.proto
 * (package `onnx`, IR version 7). protobufjs does the wire encoding; this file only declares.
 */
import protobuf from 'protobufjs/light.js';

const root = protobuf.Root.fromJSON({
  nested: {
    ModelProto: {
      fields: {
        irVersion: { type: 'int64', id: 1 },
        producerName: { type: 'string', id: 2 },
        producerVersion: { type: 'string', id: 3 },
        domain: { type: 'string', id: 4 },
        modelVersion: { type: 'int64', id: 5 },
        docString: { type: 'string', id: 6 },
        graph: { type: 'GraphProto', id: 7 },
        opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
      },
    },
    OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
    GraphProto: {
      fields: {
        node: { rule: 'repeated', type: 'NodeProto', id: 1 },
        name: { type: 'string', id: 2 },
        initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
        docString: { type: 'string', id: 10 },
        input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
        output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
        valueInfo: { rule: 'repeated', type: 'ValueInfoProto', id: 13 },
        // Read by the importer only to refuse it; left undecoded (bytes).
        sparseInitializer: { rule: 'repeated', type: 'bytes', id: 15 },
      },
    },
    NodeProto: {
      fields: {
        input: { rule: 'repeated', type: 'string', id: 1 },
        output: { rule: 'repeated', type: 'string', id: 2 },
        name: { type: 'string', id: 3 },
        opType: { type: 'string', id: 4 },
        attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
        docString: { type: 'string', id: 6 },
        domain: { type: 'string', id: 7 },
      },
    },
    AttributeProto: {
      fields: {
        name: { type: 'string', id: 1 },
        f: { type: 'float', id: 2 },
        i: { type: 'int64', id: 3 },
        s: { type: 'bytes', id: 4 },
        t: { type: 'TensorProto', id: 5 },
        floats: { rule: 'repeated', type: 'float', id: 7 },
        ints: { rule: 'repeated', type: 'int64', id: 8 },
        strings: { rule: 'repeated', type: 'bytes', id: 9 },
        // Subgraphs (If, Loop, Scan) are read as bytes only, so that they are refused, never recursed into.
        g: { type: 'bytes', id: 6 },
        graphs: { rule: 'repeated', type: 'bytes', id: 11 },
        type: { type: 'int32', id: 20 }, // enum AttributeType
      },
    },
    TensorProto: {
      fields: {
        dims: { rule: 'repeated', type: 'int64', id: 1 },
        dataType: { type: 'int32', id: 2 }, // enum DataType
        name: { type: 'string', id: 8 },
        rawData: { type: 'bytes', id: 9 },
        // The typed-field forms of the data, which the importer also reads (the exporter writes rawData).
        floatData: { rule: 'repeated', type: 'float', id: 4 },
        int32Data: { rule: 'repeated', type: 'int32', id: 5 },
        int64Data: { rule: 'repeated', type: 'int64', id: 7 },
        doubleData: { rule: 'repeated', type: 'double', id: 10 },
        externalData: { rule: 'repeated', type: 'StringStringEntryProto', id: 13 },
        dataLocation: { type: 'int32', id: 14 }, // enum DataLocation: 0 DEFAULT, 1 EXTERNAL
      },
    },
    StringStringEntryProto: { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
    ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } } },
    TypeProto: {
      fields: { tensorType: { type: 'TensorTypeProto', id: 1 } },
    },
    TensorTypeProto: { // TypeProto.Tensor in onnx.proto
      fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } },
    },
    TensorShapeProto: {
      fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } },
      nested: {
        Dimension: {
          oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
          fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } },
        },
      },
    },
  },
});

/** The ModelProto message type (encode with `ModelProto.encode(ModelProto.fromObject(obj)).finish()`). */
export const ModelProto = root.lookupType('ModelProto');

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;

/** AttributeProto.AttributeType values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

/**
 * Opset 13: the oldest opset where Softmax works on one axis (as Keras does) and Squeeze/Unsqueeze
 * take axes as inputs; every op the exporter writes exists there, so ONNX Runtime ≥ 1.6 and most
 * other engines load the file. IR version 7 is the one that goes with opset 13.
 */
export const OPSET = 13;
export const IR_VERSION = 7;
