/**
 * `strata train spec.json --studio`: the CLI's own training shown on the studio's dashboard. The
 * studio starts beside the run (127.0.0.1, token in the printed URL), the run's fit gets the hooks
 * that feed the dashboard, and pause, stop and checkpoint work from the page as for a studio run.
 */
import { resolve } from 'node:path';
import type * as st from '../../index.js';
import type { InputMeta } from '../../cli/sidecar.js';
import { startStudio, type StudioServer } from './http.js';
import type { TrainingRun } from './training.js';

export interface CliRunInfo {
  model: st.Model;
  x: st.Tensor;
  labels: string[];
  classNames?: string[];
  input: InputMeta;
  source: string;
  loss: string;
  metrics: string[];
  optimizer: string;
  learningRate: number;
  epochs: number;
  batchSize: number;
  validationSplit: number;
}

export interface CliStudio {
  server: StudioServer;
  run: TrainingRun;
}

/** Starts the studio on `folder` with `info`'s run as its current run; prints the URL. */
export async function studioForCliRun(folder: string, info: CliRunInfo, log: (line: string) => void): Promise<CliStudio> {
  const server = await startStudio({ folder: resolve(folder) });
  const run = server.studio.attach(info.model, {
    source: info.source, x: info.x, labels: info.labels, classNames: info.classNames, input: info.input, sampleShape: info.x.shape.slice(1),
  }, { epochs: info.epochs, batchSize: info.batchSize, validationSplit: info.validationSplit, loss: info.loss, optimizer: info.optimizer, learningRate: info.learningRate, metrics: info.metrics });
  log(`dashboard: ${server.url}`);
  return { server, run };
}

/** After the run: keeps the dashboard open until Ctrl+C (or closes at once when `wait` is false). */
export async function closeWhenDone(s: CliStudio, wait: boolean, log: (line: string) => void): Promise<void> {
  if (wait) {
    log(`the dashboard stays open at ${s.server.url} — Ctrl+C ends`);
    await new Promise<void>((done) => {
      process.once('SIGINT', () => done());
      process.once('SIGTERM', () => done());
    });
  }
  await s.server.close();
}
