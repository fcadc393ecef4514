// Strata Studio in a real browser (playwright-core driving Debian's Chromium): build the W3 CNN on
// the canvas, preview one MNIST digit through every node, train one short epoch on real MNIST,
// watch the curves and the confusion matrix appear, export the three forms, open each again, and
// check that the exported TypeScript program builds the same model. Saves studio-canvas.png and
// studio-dashboard.png in build/screenshots (in docs/, the README's pictures, with STRATA_UPDATE_SCREENSHOTS=1). Skipped, with one line saying so, where Chromium is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { startStudio } from '../src/studio/server/http.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const shots = process.env.STRATA_UPDATE_SCREENSHOTS === '1' ? join(root, 'docs') : join(root, 'build', 'screenshots');
mkdirSync(shots, { recursive: true });
const chromiumPath = process.env.STRATA_CHROMIUM ?? '/usr/bin/chromium';
const pageDir = join(root, 'dist', 'studio', 'page');
// npm test runs the suite twice, the second time on the js backend; the walk runs once (the server's
// own tests run on both backends).
const secondPass = process.env.STRATA_DISABLE_NATIVE === '1' && existsSync(join(root, 'native', 'build', 'Release', 'strata_native.node'));
const skip = secondPass ? 'the studio browser walk runs on the native backend only (its server tests run on both)'
  : !existsSync(chromiumPath) ? `Chromium not found at ${chromiumPath} (apt-get install chromium): the studio browser walk is skipped`
  : !existsSync(join(pageDir, 'app.js')) ? 'the studio page is not built (npm run build): the studio browser walk is skipped' : false;
if (skip) console.log(`# ${skip}`);

test('studio in Chromium: W3 CNN built on the canvas, previewed, trained on MNIST, exported and opened again', { skip, timeout: 120000 }, async () => {
  const { chromium } = await import('playwright-core');
  const folder = join(root, 'build', `studio-browser-${process.pid}`);
  rmSync(folder, { recursive: true, force: true });
  const studio = await startStudio({ folder, pageDir });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  const errors: string[] = [];
  try {
    const t0 = Date.now();
    const lap = (what: string) => { if (process.env.STUDIO_TEST_TIMES) console.log(`# ${what}: ${Date.now() - t0} ms`); };
    const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(studio.url);
    await page.waitForSelector('body[data-ready="1"]');
    const checks = async () => Number(await page.getAttribute('body', 'data-checked'));
    /** Waits until the page has checked the graph with the server since `before`. */
    const settled = async (before: number) => {
      await page.waitForFunction((n) => Number(document.body.dataset.checked) > n, before);
      await page.waitForTimeout(200);
    };
    const setParam = async (name: string, value: string) => {
      const before = await checks();
      await page.fill(`#panel-node [name="${name}"]`, value);
      await settled(before);
    };
    const add = async (type: string) => {
      const before = await checks();
      await page.click(`.pal[data-type="${type}"]`);
      await settled(before);
    };
    const nodeEl = (id: string) => page.locator(`.drawflow-node:has(.node-box[data-node="${id}"])`);

    // Build: click palette items (each joins the selected node), set hyperparameters in the panel.
    await add('input');
    await add('conv2d');
    await setParam('filters', '32');
    await add('maxPooling2d');
    await add('conv2d');
    await setParam('filters', '64');
    await add('maxPooling2d');
    await add('flatten');
    await add('dense');
    await setParam('units', '128');
    await add('dropout');
    await setParam('rate', '0.5');
    // An invalid setting shows the library's error on the node; undo takes it back.
    await setParam('rate', '1.5');
    assert.match(await nodeEl('dropout_1').locator('.error').innerText(), /rate/);
    let before = await checks();
    await page.click('#undo');
    await settled(before);
    assert.equal(await nodeEl('dropout_1').locator('.error').innerText(), '');
    // The last layer is dragged from the palette and connected by hand, port to port.
    before = await checks();
    await page.dragAndDrop('.pal[data-type="dense"]', '#drawflow', { targetPosition: { x: 300, y: 780 } });
    await settled(before);
    await setParam('units', '10');
    await page.selectOption('#panel-node select[name="activation"]', 'softmax');
    before = await checks();
    const out = nodeEl('dropout_1').locator('.output').first(), inp = nodeEl('dense_2').locator('.input').first();
    const a = (await out.boundingBox())!, b = (await inp.boundingBox())!;
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 8 });
    await page.mouse.up();
    await settled(before);
    assert.equal(await page.innerText('#summary'), '225,034 parameters · a stack (exports as a CLI spec too)');
    assert.equal(await nodeEl('conv2d_1').locator('.shape').innerText(), '→ [batch, 26, 26, 32]');
    assert.equal(await nodeEl('dense_1').locator('.params').innerText(), '204,928 params');

    lap('built');
    // Preview one MNIST digit through every node.
    await page.fill('#t-limit', '1200');
    await page.fill('#t-validationSplit', '0.2');
    await page.fill('#t-batchSize', '32');
    await page.fill('#t-epochs', '1');
    await page.click('#preview');
    await page.waitForSelector('body[data-previewed]');
    assert.equal(await nodeEl('input_1').locator('canvas.pic').count(), 1);
    assert.equal(await nodeEl('conv2d_1').locator('canvas.map').count(), 8);
    assert.equal(await nodeEl('dense_2').locator('canvas.bars').count(), 1);
    await page.click('#fit');
    // The side panel of the first convolution, for the picture.
    await nodeEl('conv2d_1').locator('.title').click();
    await page.waitForSelector('#panel-node [name="filters"]');
    assert.equal(await page.inputValue('#panel-node [name="filters"]'), '32');
    mkdirSync(join(root, 'docs'), { recursive: true });
    await page.screenshot({ path: join(shots, 'studio-canvas.png') });

    lap('previewed');
    // Train one short epoch; the dashboard fills in.
    // A second tab, opened while the run goes on, watches the same run.
    const tab2 = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await tab2.goto(studio.url);
    await tab2.waitForSelector('body[data-ready="1"]');
    await page.click('#train');
    await page.waitForSelector('body[data-run="done"]', { timeout: 60000 });
    await tab2.waitForSelector('body[data-run="done"]');
    await tab2.click('#tab-dashboard');
    await tab2.waitForSelector('#confusion table');
    assert.equal(await tab2.locator('#chart-epoch .uplot').count(), 1);
    await tab2.close();
    await page.waitForSelector('#chart-epoch .uplot');
    await page.waitForSelector('#confusion table');
    assert.equal(await page.locator('#chart-batch .uplot').count(), 1);
    assert.equal(await page.locator('#confusion table tr').count(), 11);
    const counted = await page.locator('#confusion tr:not(:first-child) td:not(:first-child)').allInnerTexts();
    const total = counted.filter((t) => /^\d+$/.test(t)).map(Number).reduce((x, y) => x + y, 0);
    assert.equal(total, 240, 'the confusion matrix counts the 240 validation samples');
    assert.ok(await page.locator('#samples .sample canvas').count() >= 8);
    assert.equal(await page.locator('#weights tbody tr').count(), 8);
    await page.screenshot({ path: join(shots, 'studio-dashboard.png') });
    const history = JSON.parse(readFileSync(join(folder, 'runs', (await page.innerText('#status')).split(' ')[1], 'history.json'), 'utf8'));
    assert.equal(history.epochs.length, 1);
    assert.ok(history.epochs[0].val_acc > 0.5, `one epoch on 960 digits learns something (val_acc ${history.epochs[0].val_acc})`);

    lap('trained');
    // Export the three forms, then open each again.
    await page.click('#tab-canvas');
    for (const f of ['model', 'spec', 'program']) {
      await page.click(`#export-${f}`);
      await page.waitForFunction((x) => (document.body.dataset.exported ?? '').includes(x), f);
    }
    assert.ok(existsSync(join(folder, 'exports', 'model', 'model.json')));
    for (const f of ['spec', 'program', 'model']) {
      before = await checks();
      await page.click(`#import-${f}`);
      await settled(before);
      assert.match(await page.innerText('#status'), new RegExp(`imported ${f} .*225034 parameters`));
      assert.equal(await page.innerText('#summary'), '225,034 parameters · a stack (exports as a CLI spec too)');
      assert.equal(await page.locator('.drawflow-node').count(), 9);
    }
    const summary = (await page.textContent('#model-summary'))!.split('\n');

    lap('imported');
    // The exported TypeScript program, compiled and run, builds the same model.
    const dir = join(folder, 'run-program');
    mkdirSync(dir, { recursive: true });
    const js = ts.transpileModule(readFileSync(join(folder, 'exports', 'model.ts'), 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    writeFileSync(join(dir, 'model.mjs'), js);
    const run = spawnSync(process.execPath, [join(dir, 'model.mjs')], { encoding: 'utf8', env: { ...process.env, STRATA_QUIET: '1' } });
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines.pop(), 'parameters: 225034');
    assert.deepEqual(lines, summary);
    lap('program run');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await studio.close();
    rmSync(folder, { recursive: true, force: true });
  }
});
