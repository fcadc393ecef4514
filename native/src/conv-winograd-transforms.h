// The tile transforms of the Winograd conv F(m×m, 3×3) (conv-winograd.cc): Bᵀ·d·B of an input tile,
// Aᵀ·M·A of a tile's products and G·g·Gᵀ of a filter, each on a run of channels (contiguous in
// channels-last), in portable C++ that the compiler vectorises for AVX-512 and SIMD128 alike.
#pragma once

#include <cstdint>
#include <cstring>

namespace strata {
namespace winograd {

template <int M>
struct Transform;

// F(4×4, 3×3).
template <>
struct Transform<4> {
  /** r = Bᵀ d. */
  template <class T>
  static inline void input(const T* d, T* r) {
    r[0] = 4.f * d[0] - 5.f * d[2] + d[4];
    r[1] = d[3] + d[4] - 4.f * (d[1] + d[2]);
    r[2] = d[4] - d[3] + 4.f * (d[1] - d[2]);
    r[3] = d[4] - d[2] + 2.f * (d[3] - d[1]);
    r[4] = d[4] - d[2] + 2.f * (d[1] - d[3]);
    r[5] = 4.f * d[1] - 5.f * d[3] + d[5];
  }
  /** o = Aᵀ m. */
  template <class T>
  static inline void output(const T* m, T* o) {
    const T a = m[1] + m[2], b = m[1] - m[2], c = m[3] + m[4], e = m[3] - m[4];
    o[0] = m[0] + a + c;
    o[1] = b + 2.f * e;
    o[2] = a + 4.f * c;
    o[3] = b + 8.f * e + m[5];
  }
  /** u = G g. */
  template <class T>
  static inline void filter(const T* g, T* u) {
    const T a = g[0] + g[2], b = g[0] * (1.f / 24) + g[2] * (1.f / 6), c = g[1] * (1.f / 12);
    u[0] = g[0] * 0.25f;
    u[1] = (a + g[1]) * (-1.f / 6);
    u[2] = (a - g[1]) * (-1.f / 6);
    u[3] = b + c;
    u[4] = b - c;
    u[5] = g[2];
  }
};

// F(2×2, 3×3).
template <>
struct Transform<2> {
  template <class T>
  static inline void input(const T* d, T* r) {
    r[0] = d[0] - d[2];
    r[1] = d[1] + d[2];
    r[2] = d[2] - d[1];
    r[3] = d[1] - d[3];
  }
  template <class T>
  static inline void output(const T* m, T* o) {
    o[0] = m[0] + m[1] + m[2];
    o[1] = m[1] - m[2] - m[3];
  }
  template <class T>
  static inline void filter(const T* g, T* u) {
    const T a = g[0] + g[2];
    u[0] = g[0];
    u[1] = (a + g[1]) * 0.5f;
    u[2] = (a - g[1]) * 0.5f;
    u[3] = g[2];
  }
};

// The transforms run on kLanes channels at once as a GCC/clang vector type (one zmm native, one
// v128 in wasm: the F(4×4) input transform holds 36 of them), and on single channels for the rest.
#if defined(__wasm__)
constexpr int kLanes = 4;
#else
constexpr int kLanes = 16;
#endif
typedef float Lanes __attribute__((vector_size(kLanes * sizeof(float))));

template <class T>
inline T load(const float* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <class T>
inline void store(float* p, const T& v) {
  std::memcpy(p, &v, sizeof v);
}

/** v[ξ · vs] = (Bᵀ d B)[ξ] for T's channels, where d[r][j] = s[r · rs + j · C] is the α × α input tile. */
template <int M, class T>
inline void inputLanes(const float* s, int64_t rs, int64_t C, float* v, int64_t vs) {
  constexpr int A = M + 2;
  T t[A][A];  // t[r][j] = (Bᵀ d)[r][j]
#pragma GCC unroll 8
  for (int j = 0; j < A; ++j) {
    T d[A], r[A];
#pragma GCC unroll 8
    for (int k = 0; k < A; ++k) d[k] = load<T>(s + k * rs + j * C);
    Transform<M>::input(d, r);
#pragma GCC unroll 8
    for (int k = 0; k < A; ++k) t[k][j] = r[k];
  }
#pragma GCC unroll 8
  for (int r = 0; r < A; ++r) {
    T u[A];
    Transform<M>::input(t[r], u);
#pragma GCC unroll 8
    for (int k = 0; k < A; ++k) store(v + (r * A + k) * vs, u[k]);
  }
}

/** inputLanes for channels c < C: v[ξ · vs + c]. */
template <int M>
void inputTile(const float* s, int64_t rs, int64_t C, float* v, int64_t vs) {
  int64_t c = 0;
  for (; c + kLanes <= C; c += kLanes) inputLanes<M, Lanes>(s + c, rs, C, v + c, vs);
  for (; c < C; ++c) inputLanes<M, float>(s + c, rs, C, v + c, vs);
}

/** y[r · yrs + k · F] = (Aᵀ m A)[r][k] for T's channels, where m[ξ] = mp[ξ · ms] are the tile's products. */
template <int M, class T>
inline void outputLanes(const float* mp, int64_t ms, int64_t F, float* y, int64_t yrs) {
  constexpr int A = M + 2;
  T t[M][A];  // t[r][j] = (Aᵀ m)[r][j]
#pragma GCC unroll 8
  for (int j = 0; j < A; ++j) {
    T m[A], o[M];
#pragma GCC unroll 8
    for (int k = 0; k < A; ++k) m[k] = load<T>(mp + (k * A + j) * ms);
    Transform<M>::output(m, o);
#pragma GCC unroll 8
    for (int r = 0; r < M; ++r) t[r][j] = o[r];
  }
#pragma GCC unroll 8
  for (int r = 0; r < M; ++r) {
    T o[M];
    Transform<M>::output(t[r], o);
#pragma GCC unroll 8
    for (int k = 0; k < M; ++k) store(y + r * yrs + k * F, o[k]);
  }
}

/** outputLanes for channels f < F. */
template <int M>
void outputTile(const float* mp, int64_t ms, int64_t F, float* y, int64_t yrs) {
  int64_t f = 0;
  for (; f + kLanes <= F; f += kLanes) outputLanes<M, Lanes>(mp + f, ms, F, y + f, yrs);
  for (; f < F; ++f) outputLanes<M, float>(mp + f, ms, F, y + f, yrs);
}

/** u[ξ · us] = (G g Gᵀ)[ξ] for T's filters, where g[k] = w[k · ws] (k = kh · 3 + kw). */
template <int M, class T>
inline void filterLanes(const float* w, int64_t ws, float* u, int64_t us) {
  constexpr int A = M + 2;
  T t[A][3];  // t[a][kw] = (G g)[a][kw]
#pragma GCC unroll 3
  for (int kw = 0; kw < 3; ++kw) {
    const T col[3] = {load<T>(w + kw * ws), load<T>(w + (3 + kw) * ws), load<T>(w + (6 + kw) * ws)};
    T r[A];
    Transform<M>::filter(col, r);
#pragma GCC unroll 8
    for (int a = 0; a < A; ++a) t[a][kw] = r[a];
  }
#pragma GCC unroll 8
  for (int a = 0; a < A; ++a) {
    T r[A];
    Transform<M>::filter(t[a], r);
#pragma GCC unroll 8
    for (int b = 0; b < A; ++b) store(u + (a * A + b) * us, r[b]);
  }
}

}  // namespace winograd
}  // namespace strata
