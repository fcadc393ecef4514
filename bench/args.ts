/** Command-line flags of the benchmark harness (see bench/README.md). */

export interface BenchArgs {
  quick: boolean;
  /** bench:browser only: one warm-up and one timed step per cell, for the test suite (implies quick). */
  smoke: boolean;
  /** Workloads (W1…W6) or item ids to run; null = all. */
  only: string[] | null;
  torch: boolean;
  tfjs: boolean;
  js: boolean;
  /** Also time tfjs-cpu on W5 training, where one step takes minutes. */
  slow: boolean;
  /** JSON report path; null = bench/results/<timestamp>.json and latest.json. */
  out: string | null;
  /** bench:browser only: also the Node section (Strata native, wasm, js). */
  node: boolean;
  /** Times every cell is measured, spread over the run; each keeps the median. Default 3 (--quick: 1). */
  rounds: number;
}

export const USAGE = 'usage: node build/bench/bench.js [--quick] [--only W1,W3,…|item,…] [--no-torch] [--no-tfjs] [--no-js] [--slow] [--no-node] [--smoke] [--rounds N] [--out FILE]';

export function parseArgs(argv: string[]): BenchArgs {
  const a: BenchArgs = { quick: false, smoke: false, only: null, torch: true, tfjs: true, js: true, slow: false, node: true, out: null, rounds: 0 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`bench: ${flag} needs a value. ${USAGE}`);
      return v;
    };
    if (flag === '--quick') a.quick = true;
    else if (flag === '--smoke') a.quick = a.smoke = true;
    else if (flag === '--only') a.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (flag === '--no-torch') a.torch = false;
    else if (flag === '--no-tfjs') a.tfjs = false;
    else if (flag === '--no-js') a.js = false;
    else if (flag === '--slow') a.slow = true;
    else if (flag === '--no-node') a.node = false;
    else if (flag === '--out') a.out = value();
    else if (flag === '--rounds') {
      const v = value();
      a.rounds = Number(v);
      if (!Number.isInteger(a.rounds) || a.rounds < 1) throw new Error(`bench: --rounds needs a whole number ≥ 1, got ${v}. ${USAGE}`);
    }
    else throw new Error(`bench: unknown flag ${flag}. ${USAGE}`);
  }
  if (a.rounds === 0) a.rounds = a.quick ? 1 : 3;
  return a;
}
