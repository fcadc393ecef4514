// The bits of a C++ runtime the kernels need that wasi-libc / libc++abi for wasm32 leave out.
extern "C" {

// thread_local objects with destructors (gemm.cc's packing buffers) register them here. The wasm
// module runs on one thread and lives as long as the page or process, so they are never run.
int __cxa_thread_atexit(void (*)(void*), void*, void*) { return 0; }

}
