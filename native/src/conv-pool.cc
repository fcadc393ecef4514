// Conv + bias + activation + max pool in one call (conv-pool.h). Unfused, W3's conv1 writes a 5.5 MB
// output (batch 64, 26 × 26 × 32) that the pool then reads back, and on the wasm backend each op also
// copies its output out to JavaScript: in the profile the pair took ~1.7 ms of an 8.3 ms inference step
// on one thread, and the conv barely sped up on two (its stores were the bottleneck). Here each task
// convolves a few images into a scratch of ≤ kScratchBytes, pools them into y, and moves on.
#include "conv-pool.h"

#include <algorithm>
#include <cstdint>

#include "conv-util.h"
#include "thread-pool.h"
#include "thread-scratch.h"

namespace strata {
namespace {

/** Target size of a task's conv output (a few images): well inside a core's L2. */
constexpr int64_t kScratchBytes = int64_t(256) << 10;

/** Largest scratch a thread keeps between calls; a chunk past it (one large image) gets its own. */
constexpr int64_t kKeepFloats = int64_t(1) << 20;

/** A thread's scratch, kept between calls (chunks up to kKeepFloats). */
thread_local ThreadScratch tScratch;

struct Job {
  const ConvGeom* g;
  const PoolGeometry* p;
  const float* x;
  const float* w;
  const ConvEpilogue* epilogue;
  float* y;
  int64_t images;  // per chunk
  int64_t xImage, convImage, yImage;  // floats per image of x, of the conv's output, of y
};

/** Chunk t: its images convolved into the thread's scratch, then pooled into y. */
void chunkTask(void* ctx, int t) {
  const Job& j = *static_cast<const Job*>(ctx);
  const int64_t n0 = t * j.images, n = std::min(j.images, j.g->batch - n0);
  if (n <= 0) return;
  ConvGeom g = *j.g;
  g.batch = n;
  PoolGeometry p = *j.p;
  p.batch = n;
  FloatBuffer own;
  float* scratch = n * j.convImage <= kKeepFloats ? tScratch.get(size_t(n * j.convImage)) : (own = allocFloats(n * j.convImage)).get();
  conv3d(g, j.x + n0 * j.xImage, j.w, scratch, j.epilogue);
  maxPool3d(scratch, p, j.y + n0 * j.yImage);
}

}  // namespace

void conv3dMaxPool(const ConvGeom& g, const float* x, const float* w, const ConvEpilogue* epilogue,
                   const PoolGeometry& pool, float* y) {
  if (g.batch == 0 || pool.outSize() == 0) return;
  const int64_t convImage = g.out[0] * g.out[1] * g.out[2] * g.outC;
  const int threads = ThreadPool::instance().threads();
  // Chunks no larger than the scratch target, and at least one per thread when the batch allows.
  const int64_t fit = std::max<int64_t>(1, kScratchBytes / int64_t(sizeof(float)) / std::max<int64_t>(convImage, 1));
  const int64_t images = std::max<int64_t>(1, std::min(fit, g.batch / threads));
  const int64_t chunks = (g.batch + images - 1) / images;
  Job job{&g, &pool, x, w, epilogue, y, images, g.in[0] * g.in[1] * g.in[2] * g.inC, convImage,
          pool.outD * pool.outH * pool.outW * pool.channels};
  if (chunks >= threads && chunks > 1 && chunks <= 0xFFFF) {
    // Chunks in parallel; the conv and pool inside each run on its thread (a nested pool job runs inline).
    ThreadPool::instance().run(int(chunks), chunkTask, &job);
  } else {
    // Fewer chunks than threads (a batch of one): chunk by chunk, each conv and pool on every thread.
    for (int64_t t = 0; t < chunks; ++t) chunkTask(&job, int(t));
  }
}

}  // namespace strata
