/** Base class of every error Strata throws on purpose: bad shapes, configs, dtypes or files. */
export class StrataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit together: `matmul: inner dimensions differ: a is [2, 3], b is [4, 5]`. */
export class ShapeError extends StrataError {}

/** A dtype an op cannot take, such as float indices passed to `gather`. */
export class DTypeError extends StrataError {}

/** An option or argument outside what an op or layer accepts. */
export class ConfigError extends StrataError {}

/** A gradient asked of something that has none. */
export class GradientError extends StrataError {}

/** Formats a shape the way errors print it: `[2, 3]`, or `[]` for a scalar. */
export function fmtShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'null' : d)).join(', ')}]`;
}
