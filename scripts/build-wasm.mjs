#!/usr/bin/env node
// Builds the wasm backend: the C++ of the native backend (native/src/*.cc) plus the wasm shims
// (native/wasm/*.cc: a Node-API stand-in over a flat argument area, and the few runtime symbols
// wasi-libc lacks), compiled for wasm32 with WebAssembly SIMD128, four times: wasm/strata.wasm runs
// on one thread (browsers without cross-origin isolation), wasm/strata-threads.wasm over a shared
// memory with workers (Node, and pages where SharedArrayBuffer exists), and wasm/strata-relaxed.wasm
// and strata-relaxed-threads.wasm are the same two with relaxed SIMD (-mrelaxed-simd: the kernels'
// multiply-add is one FMA, native/src/simd128-madd.h), which the loaders pick where the runtime
// validates relaxed SIMD (src/kernels/wasm/relaxed.ts). The same sources make all four; the threaded
// ones compile native/wasm/thread-pool-wasm.cc and malloc-lock.cc in place of
// native/src/thread-pool-serial.cc (STRATA_WASM_THREADS). The binaries are committed, so `npm
// install` needs no compiler; wasm/strata.wasm.json records a hash of the sources and flags they
// were built from, and `--check` (run by test/wasm.test.ts) fails when a committed binary is older
// than its sources.
//
// The threaded link: Debian's wasi-libc is built without atomics, and wasm-ld refuses a shared
// memory with objects that lack the atomics feature, so it links with --no-check-features. That is
// sound here because the only libc state the kernels touch from several threads is malloc's, and
// every malloc entry point is wrapped in a lock (--wrap, native/wasm/malloc-lock.cc); function-local
// statics (the GEMM micro-kernel choice, the export registry) are first reached on the calling thread,
// so they are compiled without guards (-fno-threadsafe-statics: the guards of a libc++abi built
// without threads lock nothing and would link in stdio for their abort message).
// Each worker instance gets its own stack and thread-local block from the JS side
// (src/kernels/wasm/threads.ts), through the exported __stack_pointer and __wasm_init_tls.
//
// Needs clang ≥ 17 (the final relaxed-SIMD opcodes; clang 14 emits the draft ones, which no browser
// runs): Debian 12's clang-19, lld-19, wasi-libc, libc++-19-dev-wasm32, libc++abi-19-dev-wasm32 and
// libclang-rt-19-dev-wasm32. It runs clang++-19, else clang++ (STRATA_WASM_CXX names another, with
// STRATA_WASM_SYSROOT for its wasm32-wasi sysroot).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { dirname, join, resolve, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
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

const WRAPPED = ['malloc', 'free', 'calloc', 'realloc', 'aligned_alloc', 'posix_memalign'];
const THREADS_COMPILE = ['-matomics', '-mbulk-memory', '-ftls-model=local-exec', '-fno-threadsafe-statics', '-DSTRATA_WASM_THREADS'];
const THREADS_LINK = [
  '-Wl,--import-memory', '-Wl,--shared-memory', '-Wl,--initial-memory=8388608', '-Wl,--max-memory=4294967296',
  '-Wl,--no-check-features',
  '-Wl,--export=__stack_pointer', '-Wl,--export=__wasm_init_tls', '-Wl,--export=__tls_size', '-Wl,--export=__tls_align',
  ...WRAPPED.map((f) => `-Wl,--wrap=${f}`),
];
/**
 * The four binaries. The threaded ones import their memory (shared, created by the JS side with
 * INITIAL_PAGES and MAX_PAGES of src/kernels/wasm/threads.ts: keep the sizes here in step).
 */
const VARIANTS = [
  { out: join(root, 'wasm', 'strata.wasm'), key: null, compile: [], link: [] },
  { out: join(root, 'wasm', 'strata-threads.wasm'), key: 'threads', compile: THREADS_COMPILE, link: THREADS_LINK },
  { out: join(root, 'wasm', 'strata-relaxed.wasm'), key: 'relaxed', compile: ['-mrelaxed-simd'], link: [] },
  {
    out: join(root, 'wasm', 'strata-relaxed-threads.wasm'),
    key: 'relaxedThreads',
    compile: ['-mrelaxed-simd', ...THREADS_COMPILE],
    link: THREADS_LINK,
  },
];
const NAMES = VARIANTS.map((v) => `wasm/${basename(v.out)}`).join(', ');

/** Every source file (relative path), sorted, and a hash of their contents and the flags. */
function sourcesHash() {
  const files = SOURCE_DIRS.flatMap((d) => readdirSync(join(root, d))
    .filter((f) => /\.(cc|h)$/.test(f)).map((f) => `${d}/${f}`)).sort();
  const h = createHash('sha256');
  h.update(JSON.stringify([COMPILE_FLAGS, LINK_FLAGS, VARIANTS.map((v) => [v.compile, v.link])]));
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
  if (info.sourcesHash !== hash) {
    console.error(`strata: ${NAMES} are older than their sources (native/src, native/wasm); run \`npm run build:wasm\` and commit them`);
    process.exit(1);
  }
  for (const v of VARIANTS) {
    const name = basename(v.out);
    let binHash;
    try {
      binHash = createHash('sha256').update(readFileSync(v.out)).digest('hex');
    } catch {
      console.error(`strata: wasm/${name} is missing; run \`npm run build:wasm\``);
      process.exit(1);
    }
    if ((v.key ? info[v.key]?.wasmHash : info.wasmHash) !== binHash) {
      console.error(`strata: wasm/${name} does not match wasm/strata.wasm.json; run \`npm run build:wasm\` and commit both`);
      process.exit(1);
    }
  }
  console.log(`strata: ${NAMES} are up to date`);
}

function run(cmd, args) {
  return new Promise((res, rej) => {
    const p = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    p.on('error', rej);
    p.on('exit', (code) => (code === 0 ? res() : rej(new Error(`${cmd} ${basename(args.at(-1))} exited with ${code}`))));
  });
}

async function build() {
  const runs = (c) => { const p = spawnSync(c, ['--version'], { encoding: 'utf8' }); return !p.error && p.status === 0; };
  const cxx = process.env.STRATA_WASM_CXX ?? ['clang++-19', 'clang++'].find(runs) ?? 'clang++';
  const sysroot = process.env.STRATA_WASM_SYSROOT ?? '/usr';
  if (!runs(cxx)) {
    console.error(`strata: ${cxx} not found; install clang ≥ 17 and lld (Debian 12: apt-get install clang-19 lld-19 wasi-libc libc++-19-dev-wasm32 libc++abi-19-dev-wasm32 libclang-rt-19-dev-wasm32)`);
    process.exit(1);
  }
  const { files, hash } = sourcesHash();
  const sources = files.filter((f) => f.endsWith('.cc'));
  const tmp = mkdtempSync(join(tmpdir(), 'strata-wasm-'));
  const started = Date.now();
  const info = {
    note: `Written by scripts/build-wasm.mjs: the hash of the sources and flags ${NAMES} were built from.`,
    sourcesHash: hash,
  };
  try {
    // Every (variant, file) compiled, as many at once as there are cores.
    const jobs = VARIANTS.flatMap((v, vi) => sources.map((f) => ({ v, src: f, obj: join(tmp, `${vi}-${basename(f, '.cc')}.o`) })));
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const j = jobs[next++];
        await run(cxx, [`--sysroot=${sysroot}`, ...COMPILE_FLAGS, ...j.v.compile, '-c', j.src, '-o', j.obj]);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, cpus().length) }, worker));
    for (const v of VARIANTS) {
      mkdirSync(dirname(v.out), { recursive: true });
      await run(cxx, [`--sysroot=${sysroot}`, ...LINK_FLAGS, ...v.link, '-o', v.out, ...jobs.filter((j) => j.v === v).map((j) => j.obj)]);
      const entry = { wasmHash: createHash('sha256').update(readFileSync(v.out)).digest('hex'), bytes: statSync(v.out).size };
      if (v.key) info[v.key] = entry;
      else Object.assign(info, entry);
      console.log(`strata: built ${v.out} (${entry.bytes} bytes)`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  info.compiler = spawnSync(cxx, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  writeFileSync(INFO, `${JSON.stringify(info, null, 2)}\n`);
  console.log(`strata: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv.includes('--check')) check();
else await build();
