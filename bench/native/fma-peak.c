/*
 * The machine's single-precision FMA peak, measured: each thread runs independent chains of fused
 * multiply-adds on 16-wide (AVX-512) or 8-wide (AVX2) vectors, enough chains to cover the FMA
 * latency on two ports, for about `seconds`; the best of three trials. Compiled and run by
 * bench/fma-peak.ts at bench time (cc -O2 -pthread). Prints one JSON line:
 *   {"isa":"avx512","threads":[1,2],"gflops":[g1,g2],"busy":[b1,b2]}
 * where busy is the threads' CPU time over their wall time in the best trial (below 1: other
 * processes had the cores part of the time, and the peak is understated).
 * Usage: fma-peak [seconds per trial] [max threads]
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHAINS 12
#define INNER 1000

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

typedef struct {
  int wide; /* 1: AVX-512, 0: AVX2 */
  double seconds;
  double flops;
  double elapsed;
  double cpu; /* this thread's CPU seconds: below `elapsed` when other processes took the core */
  float sink;
} Job;

/* Twelve named accumulators, written out: in an array the compiler keeps them in memory. */
#define CHAIN_STEP(F)                                                                         \
  a0 = F(a0, b, c); a1 = F(a1, b, c); a2 = F(a2, b, c); a3 = F(a3, b, c); a4 = F(a4, b, c);   \
  a5 = F(a5, b, c); a6 = F(a6, b, c); a7 = F(a7, b, c); a8 = F(a8, b, c); a9 = F(a9, b, c);   \
  a10 = F(a10, b, c); a11 = F(a11, b, c);

__attribute__((target("avx512f"))) static double run512(double seconds, float *sink) {
  const __m512 b = _mm512_set1_ps(0.9999999f), c = _mm512_set1_ps(1e-7f);
  __m512 a0 = _mm512_set1_ps(0), a1 = _mm512_set1_ps(1), a2 = _mm512_set1_ps(2), a3 = _mm512_set1_ps(3),
         a4 = _mm512_set1_ps(4), a5 = _mm512_set1_ps(5), a6 = _mm512_set1_ps(6), a7 = _mm512_set1_ps(7),
         a8 = _mm512_set1_ps(8), a9 = _mm512_set1_ps(9), a10 = _mm512_set1_ps(10), a11 = _mm512_set1_ps(11);
  long iters = 0;
  double t0 = now();
  do {
    for (int k = 0; k < INNER; k++) { CHAIN_STEP(_mm512_fmadd_ps) }
    iters += INNER;
  } while (now() - t0 < seconds);
  __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                           _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
  s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
  *sink = _mm512_reduce_add_ps(s);
  return (double)iters * CHAINS * 16 * 2;
}

__attribute__((target("avx2,fma"))) static double run256(double seconds, float *sink) {
  const __m256 b = _mm256_set1_ps(0.9999999f), c = _mm256_set1_ps(1e-7f);
  __m256 a0 = _mm256_set1_ps(0), a1 = _mm256_set1_ps(1), a2 = _mm256_set1_ps(2), a3 = _mm256_set1_ps(3),
         a4 = _mm256_set1_ps(4), a5 = _mm256_set1_ps(5), a6 = _mm256_set1_ps(6), a7 = _mm256_set1_ps(7),
         a8 = _mm256_set1_ps(8), a9 = _mm256_set1_ps(9), a10 = _mm256_set1_ps(10), a11 = _mm256_set1_ps(11);
  long iters = 0;
  double t0 = now();
  do {
    for (int k = 0; k < INNER; k++) { CHAIN_STEP(_mm256_fmadd_ps) }
    iters += INNER;
  } while (now() - t0 < seconds);
  __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                           _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
  s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
  float out[8];
  _mm256_storeu_ps(out, s);
  *sink = out[0] + out[7];
  return (double)iters * CHAINS * 8 * 2;
}

static double threadCpu(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *worker(void *p) {
  Job *j = (Job *)p;
  double t0 = now(), c0 = threadCpu();
  j->flops = j->wide ? run512(j->seconds, &j->sink) : run256(j->seconds, &j->sink);
  j->elapsed = now() - t0;
  j->cpu = threadCpu() - c0;
  return NULL;
}

/* GFLOPS of n threads running at once: total flops over the longest thread's time; *busy gets the
   threads' CPU time over n × that time (1 on an otherwise idle machine). */
static double trial(int wide, int n, double seconds, double *busy) {
  pthread_t th[64];
  Job jobs[64];
  for (int i = 0; i < n; i++) {
    jobs[i] = (Job){wide, seconds, 0, 0, 0};
    pthread_create(&th[i], NULL, worker, &jobs[i]);
  }
  double flops = 0, longest = 0, cpu = 0;
  for (int i = 0; i < n; i++) {
    pthread_join(th[i], NULL);
    flops += jobs[i].flops;
    cpu += jobs[i].cpu;
    if (jobs[i].elapsed > longest) longest = jobs[i].elapsed;
  }
  *busy = cpu / (n * longest);
  return flops / longest / 1e9;
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 0.3;
  int maxThreads = argc > 2 ? atoi(argv[2]) : 2;
  if (maxThreads < 1 || maxThreads > 64) maxThreads = 2;
  __builtin_cpu_init();
  int wide = __builtin_cpu_supports("avx512f");
  if (!wide && !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) {
    printf("{\"error\":\"no AVX2/FMA or AVX-512\"}\n");
    return 0;
  }
  printf("{\"isa\":\"%s\",\"threads\":[", wide ? "avx512" : "avx2");
  for (int n = 1; n <= maxThreads; n++) printf(n > 1 ? ",%d" : "%d", n);
  double best[64] = {0}, bestBusy[64] = {0};
  for (int n = 1; n <= maxThreads; n++) {
    for (int t = 0; t < 3; t++) {
      double busy, g = trial(wide, n, seconds, &busy);
      if (g > best[n - 1]) best[n - 1] = g, bestBusy[n - 1] = busy;
    }
  }
  printf("],\"gflops\":[");
  for (int n = 1; n <= maxThreads; n++) printf(n > 1 ? ",%.1f" : "%.1f", best[n - 1]);
  printf("],\"busy\":[");
  for (int n = 1; n <= maxThreads; n++) printf(n > 1 ? ",%.2f" : "%.2f", bestBusy[n - 1]);
  printf("]}\n");
  return 0;
}
