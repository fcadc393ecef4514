/**
 * The studio's state and JSON API behind the HTTP layer: the project folder (graph.json, runs/,
 * checkpoints/, exports), the current training run and the weights it left, which previews and
 * model exports use while the graph still fits them.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ServerResponse } from 'node:http';
import * as st from '../../index.js';
import { BUILTIN_DATASETS } from '../../cli/data.js';
import { parseSpec } from '../../cli/spec.js';
import { writeFileAtomic } from '../../io/handlers.js';
import { CATALOGUE } from './catalogue.js';
import { type StudioData, loadStudioData, sampleAt } from './datasets.js';
import { compileSettings, graphToProgram, graphToSpec, modelToGraph, programToGraph, specToGraph } from './export.js';
import { type BuiltGraph, type StudioGraph, buildGraph, chainOf, parseGraph } from './graph.js';
import { previewGraph } from './preview.js';
import { HttpError, insideProject } from './security.js';
import { EventHub, type RunOptions, TrainingRun } from './training.js';

const OPTIMIZERS = ['adam', 'sgd', 'rmsprop', 'adagrad', 'adamax', 'nadam'];
const LOSSES = ['sparseCategoricalCrossentropy', 'categoricalCrossentropy', 'binaryCrossentropy', 'meanSquaredError', 'meanAbsoluteError'];
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

export class Studio {
  readonly hub = new EventHub();
  run: TrainingRun | null = null;
  /** Weights by layer name, from the last run or import; used where the graph's layer shapes match. */
  private weights = new Map<string, st.Tensor[]>();

  constructor(readonly folder: string) {
    mkdirSync(folder, { recursive: true });
  }

  /** Opens the event stream of a page: first a snapshot of the current run, then every event. */
  events(res: ServerResponse): void {
    this.hub.add(res, this.run ? { event: 'snapshot', data: this.run.snapshot() } : undefined);
  }

  close(): void {
    this.run?.stop();
    this.hub.closeAll();
  }

  /** One API call: `route` is the path after /api/. */
  async api(method: string, route: string, body: unknown, query: URLSearchParams): Promise<unknown> {
    const key = `${method} ${route}`;
    switch (key) {
      case 'GET catalogue': return { layers: CATALOGUE, datasets: BUILTIN_DATASETS, losses: LOSSES, optimizers: OPTIMIZERS };
      case 'GET project': return this.project();
      case 'PUT graph': return this.saveGraph(body);
      case 'POST check': return this.check(parseGraph(field(body, 'graph')));
      case 'POST preview': return this.preview(body);
      case 'POST dataset': return this.describeData(body);
      case 'POST train': return this.startTraining(body);
      case 'POST train/pause': return this.control((r) => r.pause());
      case 'POST train/resume': return this.control((r) => r.resume());
      case 'POST train/stop': return this.control((r) => r.stop());
      case 'POST train/checkpoint': {
        const r = this.requireRun();
        return { path: await r.requestCheckpoint(), status: r.status };
      }
      case 'GET run': return this.run ? this.run.snapshot() : null;
      case 'POST export': return this.export(body);
      case 'POST import': return this.import(body);
      case 'GET file': return this.readText(query.get('path'));
      default: throw new HttpError(404, `no API ${method} /api/${route}`);
    }
  }

  private project(): unknown {
    const file = join(this.folder, 'graph.json');
    let graph: StudioGraph | null = null;
    if (existsSync(file)) {
      try {
        graph = parseGraph(JSON.parse(readFileSync(file, 'utf8')));
      } catch {
        graph = null; // a broken file: start from an empty canvas rather than refuse to open
      }
    }
    const list = (d: string) => (existsSync(join(this.folder, d)) ? readdirSync(join(this.folder, d)).filter((n) => !n.startsWith('.')).sort() : []);
    return { folder: this.folder, graph, runs: list('runs'), checkpoints: list('checkpoints'), run: this.run?.snapshot() ?? null };
  }

  private async saveGraph(body: unknown): Promise<unknown> {
    const graph = parseGraph(body);
    await writeFileAtomic(join(this.folder, 'graph.json'), Buffer.from(JSON.stringify(graph, null, 1)));
    return this.check(graph);
  }

  /** Shapes, parameter counts and errors of every node; the summary when the model builds. */
  check(graph: StudioGraph): unknown {
    const built = buildGraph(graph);
    const summary: string[] = [];
    built.model?.summary(98, (l) => summary.push(l));
    return { nodes: built.nodes, error: built.error ?? null, totalParams: built.model?.countParams() ?? null, sequential: chainOf(graph) !== null, summary };
  }

  /** The graph built, with the kept weights copied into layers whose shapes match. */
  private buildWithWeights(graph: StudioGraph): BuiltGraph {
    const built = buildGraph(graph);
    if (built.model) {
      for (const layer of built.model.layers) {
        const w = this.weights.get(layer.name);
        const mine = layer.getWeights();
        if (w && w.length === mine.length && w.every((t, i) => t.shape.join() === mine[i].shape.join())) layer.setWeights(w);
      }
    }
    return built;
  }

  /** What a dataset holds: sample shape, classes, vocabulary size (text), number of samples. */
  private async describeData(body: unknown): Promise<unknown> {
    const b = isObj(body) ? body : {};
    const data = await loadStudioData(this.folder, { dataset: b.dataset as string, limit: b.limit as number | undefined, labelColumn: b.labelColumn as string | undefined });
    return { samples: data.x.shape[0], sampleShape: data.sampleShape, classNames: data.classNames ?? null, kind: data.input.kind,
      vocabulary: data.input.kind === 'text' ? data.input.vocabulary.tokens.length : null };
  }

  private async preview(body: unknown): Promise<unknown> {
    const graph = parseGraph(field(body, 'graph'));
    const b = body as Record<string, unknown>;
    const data = await loadStudioData(this.folder, { dataset: b.dataset as string, limit: b.limit as number | undefined, labelColumn: b.labelColumn as string | undefined });
    const index = b.sample === undefined ? 0 : b.sample as number;
    const x = sampleAt(data, index);
    const built = this.buildWithWeights(graph);
    const inputShape = built.inputs.length === 1 ? built.nodes[built.inputs[0]].shape?.slice(1) : undefined;
    if (inputShape && inputShape.join() !== data.sampleShape.join()) {
      throw new HttpError(400, `the input node takes samples of shape [${inputShape.join(', ')}] but '${b.dataset}' has [${data.sampleShape.join(', ')}]; set the input's sample shape to it`);
    }
    const views = previewGraph(built, x, data.input.kind === 'image');
    return { views, nodes: built.nodes, sample: index, samples: data.x.shape[0], sampleShape: data.sampleShape, label: data.labels[index], classNames: data.classNames ?? null };
  }

  private async startTraining(body: unknown): Promise<unknown> {
    if (this.run && ['running', 'paused', 'stopping'].includes(this.run.status)) throw new HttpError(409, `run ${this.run.id} is ${this.run.status}; stop it first`);
    const graph = parseGraph(field(body, 'graph'));
    const t = { ...graph.training, ...(isObj((body as Record<string, unknown>).training) ? (body as Record<string, Record<string, unknown>>).training : {}) };
    const epochs = intIn(t.epochs ?? 1, 1, 1000, 'epochs');
    const batchSize = intIn(t.batchSize ?? 32, 1, 65536, 'batch size');
    const validationSplit = numIn(t.validationSplit ?? 0.1, 0, 0.9, 'validation split');
    const c = compileSettings(t as StudioGraph['training']);
    if (!OPTIMIZERS.includes(c.optimizer)) throw new HttpError(400, `optimizer must be one of ${OPTIMIZERS.join(', ')}, got '${c.optimizer}'`);
    numIn(c.learningRate, 1e-8, 10, 'learning rate');
    const seed = intIn(t.seed ?? 1, 0, 2 ** 31 - 1, 'seed');
    const data = await loadStudioData(this.folder, { dataset: t.dataset as string, limit: t.limit as number | undefined, labelColumn: t.labelColumn as string | undefined });
    // Fresh weights drawn from the seed, as `strata train --seed` draws them: a run repeats exactly,
    // and the CLI given the exported spec and the same settings computes the same numbers.
    st.setSeed(seed);
    const built = buildGraph(graph);
    if (!built.model) throw new HttpError(400, `the graph does not build: ${built.error}`);
    if (built.inputs.length !== 1 || built.outputs.length !== 1) throw new HttpError(400, 'training in the studio takes a graph with one input and one output');
    const id = new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '');
    const run = new TrainingRun(id, built.model, data, { epochs, batchSize, validationSplit, loss: c.loss, optimizer: c.optimizer, learningRate: c.learningRate, metrics: c.metrics },
      this.folder, (event, d) => {
        // The weights after each epoch are what previews show from then on.
        if (event === 'epoch') this.keepWeights(built.model!);
        this.hub.emit(event, d);
      });
    this.run = run;
    // Off the request path: the answer goes now, fit yields to the event loop between batches.
    void run.run().then(() => this.keepWeights(run.model));
    return { run: id, status: run.status };
  }

  /** Makes a run trained elsewhere (`strata train --studio`) the current run; its hooks go to that fit. */
  attach(model: st.Model, data: StudioData, options: RunOptions): TrainingRun {
    const id = `cli-${new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '')}`;
    this.run = new TrainingRun(id, model, data, options, this.folder, (event, d) => this.hub.emit(event, d));
    this.run.start();
    return this.run;
  }

  private keepWeights(model: st.Model): void {
    for (const layer of model.layers) this.weights.set(layer.name, layer.getWeights());
  }

  private requireRun(): TrainingRun {
    if (!this.run) throw new HttpError(409, 'no training run; start one first');
    return this.run;
  }

  private control(f: (r: TrainingRun) => void): unknown {
    const r = this.requireRun();
    f(r);
    return { run: r.id, status: r.status };
  }

  private async export(body: unknown): Promise<unknown> {
    const graph = parseGraph(field(body, 'graph'));
    const b = body as Record<string, unknown>;
    const format = b.format;
    const built = this.buildWithWeights(graph);
    if (!built.model) throw new HttpError(400, `the graph does not build: ${built.error}`);
    if (format === 'model') {
      const dir = insideProject(this.folder, b.path ?? 'exports/model', 'path');
      await built.model.save(dir);
      return { format, path: relative(this.folder, dir), files: readdirSync(dir).filter((n) => !n.startsWith('.')) };
    }
    let text: string;
    if (format === 'spec') text = `${JSON.stringify(graphToSpec(graph), null, 2)}\n`;
    else if (format === 'program') text = graphToProgram(graph, built.order, built.inputs, built.outputs);
    else throw new HttpError(400, `format must be 'model', 'spec' or 'program', got ${JSON.stringify(format)}`);
    const file = insideProject(this.folder, b.path ?? (format === 'spec' ? 'exports/spec.json' : 'exports/model.ts'), 'path');
    mkdirSync(join(file, '..'), { recursive: true });
    await writeFileAtomic(file, Buffer.from(text));
    return { format, path: relative(this.folder, file), text };
  }

  /** A graph from a model.json folder, a CLI spec or a program the studio wrote (by path in the project, or text). */
  private async import(body: unknown): Promise<unknown> {
    const b = isObj(body) ? body : {};
    const format = b.format;
    if (format === 'model') {
      const path = insideProject(this.folder, b.path, 'path');
      const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'model.json') : path;
      if (!existsSync(file)) throw new HttpError(400, `no model.json at ${relative(this.folder, file)}`);
      const model = await st.loadLayersModel(file);
      const topology = (JSON.parse(readFileSync(file, 'utf8')) as { modelTopology?: unknown }).modelTopology;
      const graph = modelToGraph(model, topology);
      this.keepWeights(model);
      return { graph, check: this.check(graph) };
    }
    const text = typeof b.text === 'string' ? b.text : readFileSync(insideProject(this.folder, b.path, 'path'), 'utf8');
    let graph: StudioGraph;
    if (format === 'spec') {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        throw new HttpError(400, `spec: malformed JSON: ${(e as Error).message}`);
      }
      parseSpec(json, 'spec');
      graph = specToGraph(json);
    } else if (format === 'program') graph = programToGraph(text);
    else throw new HttpError(400, `format must be 'model', 'spec' or 'program', got ${JSON.stringify(format)}`);
    return { graph, check: this.check(graph) };
  }

  private readText(path: string | null): unknown {
    const file = insideProject(this.folder, path, 'path');
    if (!existsSync(file) || !statSync(file).isFile()) throw new HttpError(404, `no file ${path} in the project`);
    if (statSync(file).size > 4 * 1024 * 1024) throw new HttpError(413, `${path} is over 4 MiB`);
    return { path, text: readFileSync(file, 'utf8') };
  }
}

function field(body: unknown, name: string): unknown {
  if (!isObj(body) || !(name in body)) throw new HttpError(400, `the request body must be an object with "${name}"`);
  return body[name];
}

function intIn(v: unknown, lo: number, hi: number, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new HttpError(400, `${what} must be an integer from ${lo} to ${hi}, got ${JSON.stringify(v)}`);
  return v;
}

function numIn(v: unknown, lo: number, hi: number, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) throw new HttpError(400, `${what} must be a number from ${lo} to ${hi}, got ${JSON.stringify(v)}`);
  return v;
}
