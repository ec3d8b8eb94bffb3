import onnxProto from 'onnx-proto';
import type { onnx as O } from 'onnx-proto';

const { onnx } = onnxProto;
type AttrValue = number | readonly number[];
type Dim = number | string;

/** ONNX tensor element types used here (onnx.TensorProto.DataType). */
export const ONNX_FLOAT = onnx.TensorProto.DataType.FLOAT;
export const ONNX_INT32 = onnx.TensorProto.DataType.INT32;
export const ONNX_INT64 = onnx.TensorProto.DataType.INT64;

function attribute(name: string, v: AttrValue): O.AttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v !== 'number') return onnx.AttributeProto.create({ name, type: T.INTS, ints: [...v] });
  if (Number.isInteger(v)) return onnx.AttributeProto.create({ name, type: T.INT, i: v });
  return onnx.AttributeProto.create({ name, type: T.FLOAT, f: v });
}

function valueInfo(name: string, elemType: number, dims: readonly Dim[]): O.ValueInfoProto {
  const dim = dims.map((x) => (typeof x === 'string' ? { dimParam: x } : { dimValue: x }));
  const shape = onnx.TensorShapeProto.create({ dim });
  return onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType, shape } } });
}

function bytesOf(a: Float32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * A small imperative builder for one ONNX graph: initializers, nodes with generated value
 * names, inputs/outputs; `encode()` serialises a ModelProto (IR 8, default-domain opset 17).
 * Float attributes must be non-integers (an integral number is written as INT).
 */
export class OnnxGraphBuilder {
  private readonly nodes: O.NodeProto[] = [];
  private readonly initializers: O.TensorProto[] = [];
  private readonly inputs: O.ValueInfoProto[] = [];
  private readonly outputs: O.ValueInfoProto[] = [];
  private uid = 0;

  /** A float32 initializer (raw little-endian data); returns its name. */
  float(name: string, dims: readonly number[], data: Float32Array): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length)
      throw new Error(`initializer ${name}: ${data.length} values for dims [${dims.join(',')}]`);
    this.initializers.push(
      onnx.TensorProto.create({ name, dims: [...dims], dataType: ONNX_FLOAT, rawData: bytesOf(data) }),
    );
    return name;
  }

  /** A 1-D int64 initializer (shapes, axes, split sizes); returns its name. */
  int64(name: string, values: readonly number[]): string {
    const data = BigInt64Array.from(values, (v) => BigInt(v));
    this.initializers.push(
      onnx.TensorProto.create({ name, dims: [values.length], dataType: ONNX_INT64, rawData: bytesOf(data) }),
    );
    return name;
  }

  /** Appends a node with `nOut` fresh outputs and returns their names. */
  nodeN(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue>, nOut: number): string[] {
    const output = Array.from({ length: nOut }, () => `${opType}_${this.uid++}`);
    const attribute_ = Object.entries(attrs).map(([k, v]) => attribute(k, v));
    this.nodes.push(
      onnx.NodeProto.create({ opType, input: [...inputs], output, attribute: attribute_, name: output[0] }),
    );
    return output;
  }

  /** Appends a single-output node and returns the output's name. */
  node(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}): string {
    const [out] = this.nodeN(opType, inputs, attrs, 1);
    if (out === undefined) throw new Error('unreachable');
    return out;
  }

  input(name: string, elemType: number, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  /** Declares graph output `name`, produced from value `from` through an Identity node. */
  output(name: string, from: string, elemType: number, dims: readonly Dim[]): void {
    this.nodes.push(onnx.NodeProto.create({ opType: 'Identity', input: [from], output: [name], name }));
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  encode(graphName: string, docString = ''): Uint8Array {
    const graph = onnx.GraphProto.create({
      name: graphName,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
    });
    const model = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      producerName: 'blt-toolkit',
      docString,
      graph,
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
