/**
 * What every example exports, so `strata example NAME` (src/cli) and the test suite can run any of
 * them alike. An example file `examples/NAME.ts` exports `example: Example`; the CLI finds the
 * examples by listing the compiled folder (dist/examples), so adding one needs no registry edit.
 */

/** How the example is run. */
export interface ExampleOptions {
  /**
   * The small version for `npm test`: a slice of the data and an epoch or two, seconds in all, still
   * real data and still able to fail (its `floor` is then `fastFloor`).
   */
  fast: boolean;
  /** Overrides the example's number of epochs. */
  epochs?: number;
  /** Folder the trained model is saved to (created; replaced atomically by model.save). */
  out: string;
  /** Extra flags from the command line (`--cell gru` gives { cell: 'gru' }, `--bidirectional` gives { bidirectional: true }). */
  flags: Record<string, string | boolean>;
  /** Progress and results, one line per call (the CLI prints them; tests collect them). */
  log: (line: string) => void;
  /** 0 silent training, 1 progress bar, 2 one line per epoch (passed to fit). */
  verbose: 0 | 1 | 2;
  /** Seed for st.setSeed, so runs repeat. */
  seed: number;
}

/** A figure an example reports, compared with its floor where it has one. */
export interface ExampleFigure {
  /** Short name, e.g. 'test accuracy', 'PSNR (dB)', 'perplexity'. */
  name: string;
  value: number;
  /** The floor (or ceiling, when `lowerIsBetter`) this figure must reach; absent for figures reported only for comparison. */
  floor?: number;
  lowerIsBetter?: boolean;
}

export interface ExampleResult {
  /** The headline figure first, then the baselines and other figures. */
  figures: ExampleFigure[];
  /** Wall-clock seconds for the whole run (data loading included). */
  seconds: number;
  /** Where the model was saved. */
  modelDir: string;
  /** Free-form lines worth keeping (samples of generated text, example translations). */
  notes: string[];
}

export interface Example {
  /** The name on the command line: 'cnn-mnist'. */
  name: string;
  /** One line for `strata example --list`. */
  description: string;
  /** Flags this example understands, one line each, for `strata example NAME --help`. */
  flagsHelp?: string[];
  run(options: ExampleOptions): Promise<ExampleResult>;
}

/** Whether every figure with a floor reaches it. */
export function meetsFloors(result: ExampleResult): boolean {
  return result.figures.every(
    (f) => f.floor === undefined || (f.lowerIsBetter ? f.value <= f.floor : f.value >= f.floor),
  );
}

/** One line per figure: `test accuracy  0.9912  (floor 0.99: met)`. */
export function formatFigures(result: ExampleResult): string[] {
  const width = Math.max(...result.figures.map((f) => f.name.length));
  return result.figures.map((f) => {
    const v = Math.abs(f.value) >= 100 || Number.isInteger(f.value) ? f.value.toFixed(2) : f.value.toFixed(4);
    const floor =
      f.floor === undefined
        ? ''
        : `  (${f.lowerIsBetter ? 'ceiling' : 'floor'} ${f.floor}: ${
            (f.lowerIsBetter ? f.value <= f.floor : f.value >= f.floor) ? 'met' : 'NOT met'
          })`;
    return `${f.name.padEnd(width)}  ${v}${floor}`;
  });
}

/** Seconds since `t0` (a performance.now() reading). */
export function secondsSince(t0: number): number {
  return (performance.now() - t0) / 1000;
}
