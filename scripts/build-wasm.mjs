#!/usr/bin/env node
// Builds the wasm backend: the C++ of the native backend (native/src/*.cc) plus the wasm shims
// (native/wasm/*.cc: a Node-API stand-in over a flat argument area, and the few runtime symbols
// wasi-libc lacks), compiled for wasm32 with WebAssembly SIMD128, into wasm/strata.wasm. The
// binary is committed, so `npm install` needs no compiler; wasm/strata.wasm.json records a hash of
// the sources and flags it was built from, and `--check` (run by test/wasm-binary.test.ts) fails
// when the committed binary is older than its sources.
//
// Needs Debian's clang, lld, wasi-libc, libc++-14-dev-wasm32, libc++abi-14-dev-wasm32 and
// libclang-rt-14-dev-wasm32 (any clang ≥ 14 with a wasm32-wasi sysroot works: STRATA_WASM_CXX,
// STRATA_WASM_SYSROOT).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { dirname, join, resolve, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(root, 'wasm', 'strata.wasm');
const INFO = join(root, 'wasm', 'strata.wasm.json');
const SOURCE_DIRS = ['native/src', 'native/wasm'];

// -mllvm -disable-lsr: loop strength reduction makes clang address a loop's loads with i32.add instead
// of the loads' offset immediates; V8 then spends an instruction and a register on each (the SIMD128
// GEMM tile spilled with it: native/src/gemm-wasm.cc).
const COMPILE_FLAGS = [
  '--target=wasm32-wasi', '-std=c++17', '-O3', '-msimd128', '-fopenmp-simd', '-fno-exceptions', '-fno-math-errno',
  '-mllvm', '-disable-lsr', '-Inative/wasm', '-Inative/src',
];
// 1 MiB of stack (kernels keep register tiles and small buffers there); the memory grows on demand.
const LINK_FLAGS = ['--target=wasm32-wasi', '-mexec-model=reactor', '-Wl,-z,stack-size=1048576', '-Wl,--strip-debug'];

/** Every source file (relative path), sorted, and a hash of their contents and the flags. */
function sourcesHash() {
  const files = SOURCE_DIRS.flatMap((d) => readdirSync(join(root, d))
    .filter((f) => /\.(cc|h)$/.test(f)).map((f) => `${d}/${f}`)).sort();
  const h = createHash('sha256');
  h.update(JSON.stringify([COMPILE_FLAGS, LINK_FLAGS]));
  for (const f of files) {
    // Line endings normalised, so a Windows checkout (autocrlf) agrees with the recorded hash.
    h.update(`${f}\0${readFileSync(join(root, f), 'utf8').replace(/\r\n/g, '\n')}\0`);
  }
  return { files, hash: h.digest('hex') };
}

function check() {
  const { hash } = sourcesHash();
  let info;
  try {
    info = JSON.parse(readFileSync(INFO, 'utf8'));
  } catch {
    console.error(`strata: ${INFO} is missing; run \`npm run build:wasm\``);
    process.exit(1);
  }
  const bin = readFileSync(OUT);
  const binHash = createHash('sha256').update(bin).digest('hex');
  if (info.sourcesHash !== hash) {
    console.error('strata: wasm/strata.wasm is older than its sources (native/src, native/wasm); run `npm run build:wasm` and commit it');
    process.exit(1);
  }
  if (info.wasmHash !== binHash) {
    console.error('strata: wasm/strata.wasm does not match wasm/strata.wasm.json; run `npm run build:wasm` and commit both');
    process.exit(1);
  }
  console.log('strata: wasm/strata.wasm is up to date');
}

function run(cmd, args) {
  return new Promise((res, rej) => {
    const p = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    p.on('error', rej);
    p.on('exit', (code) => (code === 0 ? res() : rej(new Error(`${cmd} ${basename(args.at(-1))} exited with ${code}`))));
  });
}

async function build() {
  const cxx = process.env.STRATA_WASM_CXX ?? 'clang++';
  const sysroot = process.env.STRATA_WASM_SYSROOT ?? '/usr';
  const probe = spawnSync(cxx, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    console.error(`strata: ${cxx} not found; install clang and lld (Debian: apt-get install clang lld wasi-libc libc++-14-dev-wasm32 libc++abi-14-dev-wasm32 libclang-rt-14-dev-wasm32)`);
    process.exit(1);
  }
  const { files, hash } = sourcesHash();
  const sources = files.filter((f) => f.endsWith('.cc'));
  const tmp = mkdtempSync(join(tmpdir(), 'strata-wasm-'));
  const started = Date.now();
  try {
    const objects = sources.map((f) => join(tmp, `${basename(f, '.cc')}.o`));
    // Compiled file by file, as many at once as there are cores.
    let next = 0;
    const worker = async () => {
      while (next < sources.length) {
        const i = next++;
        await run(cxx, [`--sysroot=${sysroot}`, ...COMPILE_FLAGS, '-c', sources[i], '-o', objects[i]]);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, cpus().length) }, worker));
    mkdirSync(dirname(OUT), { recursive: true });
    await run(cxx, [`--sysroot=${sysroot}`, ...LINK_FLAGS, '-o', OUT, ...objects]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const bin = readFileSync(OUT);
  const info = {
    note: 'Written by scripts/build-wasm.mjs: the hash of the sources and flags wasm/strata.wasm was built from.',
    sourcesHash: hash,
    wasmHash: createHash('sha256').update(bin).digest('hex'),
    bytes: statSync(OUT).size,
    compiler: spawnSync(cxx, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0],
  };
  writeFileSync(INFO, `${JSON.stringify(info, null, 2)}\n`);
  console.log(`strata: built ${OUT} (${info.bytes} bytes) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv.includes('--check')) check();
else await build();
