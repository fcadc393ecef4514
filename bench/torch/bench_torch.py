#!/usr/bin/python3
"""PyTorch CPU performance anchor for the peer benchmarks (W1..W6).

Run with the Debian system interpreter (python3-torch 1.13.1), e.g.
  /usr/bin/python3 bench_torch.py --threads 1,2 --out results/torch.jsonl
  /usr/bin/python3 bench_torch.py --quick            # smoke test, tiny step counts
  /usr/bin/python3 bench_torch.py --profile          # which aten kernels each workload hits

Method: float32, NCHW, fixed seeds, synthetic random data of the real shapes (one fixed batch
reused every step). train step = zero_grad + forward + loss + backward + Adam(lr=1e-3).step();
inference = eval() + torch.no_grad() forward. Per workload and thread count: 2 warm-up steps,
then --reps repeats, each running whole steps until >= --min-time seconds have elapsed;
the reported value is the median repeat rate.

Threads: torch.set_num_threads(n) sets ATen/OpenMP (and oneDNN) threads but NOT the threads of
Debian's OpenBLAS (pthread build, used by torch for GEMM/Linear), which defaults to all cores.
So the script also calls openblas_set_num_threads(n) via ctypes (disable with --no-pin-blas).
Each record carries cpu_per_wall (process CPU time / wall time) as a check on real parallelism, and
other_procs_cores (CPU used by other processes during the repeats, in cores; ~0 = quiet machine).

The script runs in the environment PyTorch is best in here (it re-executes itself with
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, so OpenBLAS picks its AVX-512 kernels, and glibc's
malloc thresholds raised through GLIBC_TUNABLES; where OpenBLAS does not know the CPU and falls back to
non-AVX-512 kernels on an AVX-512 CPU, it re-executes once more with OPENBLAS_CORETYPE=SkylakeX, as an
informed user would set it; --as-is keeps the caller's environment).
Strata's harness (bench/peers/torch.ts) runs one item per process with one thread set-up, and first runs
--probe: which BLAS library torch's process has mapped, OpenBLAS's core name and a GEMM rate, so it
can refuse to report ratios against a PyTorch that is not running on OpenBLAS. Each record also
carries the peak memory of a few steady-state steps (--memory-steps; see memory_pass).
"""
import argparse, ctypes, json, os, platform, resource, statistics, sys, time

# PyTorch at its best here (issue 13): OpenBLAS picks its own (AVX-512) kernels only without
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, and glibc keeps big freed buffers for reuse (no page fault per
# 4 KiB of every fresh tensor) only with raised malloc thresholds, as Strata sets them with mallopt.
# Both are read when the libraries load, so the script re-executes itself in that environment
# before importing torch, unless --as-is says to keep the caller's.
BEST_TUNABLES = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456"
# (A CORETYPE this script set itself, below, marked by STRATA_OPENBLAS_AUTODETECTED, stays.)
CORETYPE_OURS = "STRATA_OPENBLAS_AUTODETECTED" in os.environ
if "--as-is" not in sys.argv and (
        ("OPENBLAS_CORETYPE" in os.environ and not CORETYPE_OURS) or "OPENBLAS_L2_SIZE" in os.environ
        or os.environ.get("GLIBC_TUNABLES") != BEST_TUNABLES):
    best_env = {k: v for k, v in os.environ.items()
                if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "STRATA_OPENBLAS_AUTODETECTED")}
    best_env["GLIBC_TUNABLES"] = BEST_TUNABLES
    os.execve(sys.executable, [sys.executable] + sys.argv, best_env)

import torch
import torch.nn as nn
import torch.nn.functional as F


def mapped_blas_libraries():
    """Paths of the BLAS/LAPACK/OpenBLAS libraries this process has mapped (torch links libblas.so.3)."""
    try:
        paths = {line.split()[-1] for line in open("/proc/self/maps") if len(line.split()) >= 6}
    except OSError:
        return []
    return sorted(p for p in paths if any(k in os.path.basename(p) for k in ("blas", "lapack")))


def load_openblas():
    """The OpenBLAS that torch itself runs on, or None.

    Loading "libopenblas.so.0" by name could find an OpenBLAS that torch does not use (Debian's
    libblas.so.3 alternative may point at the reference BLAS while OpenBLAS is installed), and then its
    thread count and core name would describe the wrong library: so only a library already mapped
    into this process (torch loaded it) is asked.
    """
    for path in mapped_blas_libraries():
        try:
            ob = ctypes.CDLL(path)
            ob.openblas_get_corename.restype = ctypes.c_char_p
            ob.openblas_get_config.restype = ctypes.c_char_p
            return ob
        except (OSError, AttributeError):
            continue
    return None


OB = load_openblas()

# OpenBLAS names its AVX-512 kernel sets so; Cooperlake and SapphireRapids add bf16 kernels to
# SkylakeX's and share its float32 GEMM.
AVX512_CORES = ("SkylakeX", "Cooperlake", "SapphireRapids")


def cpu_has_avx512f():
    try:
        return any(line.startswith("flags") and " avx512f " in line + " " for line in open("/proc/cpuinfo"))
    except OSError:
        return False


# OpenBLAS detects a CPU by its model number, so a CPU newer than the library (Debian's 0.3.21 on an
# Emerald Rapids Xeon, say) gets the Prescott (SSE3) kernels: 5-10x slower GEMMs on an AVX-512 core.
# An informed user sets OPENBLAS_CORETYPE=SkylakeX there; the script does so itself and records which
# core auto-detection chose (STRATA_OPENBLAS_AUTODETECTED).
if ("--as-is" not in sys.argv and OB is not None and "OPENBLAS_CORETYPE" not in os.environ
        and OB.openblas_get_corename().decode() not in AVX512_CORES and cpu_has_avx512f()):
    fixed_env = dict(os.environ, OPENBLAS_CORETYPE="SkylakeX",
                     STRATA_OPENBLAS_AUTODETECTED=OB.openblas_get_corename().decode())
    os.execve(sys.executable, [sys.executable] + sys.argv, fixed_env)


def set_threads(n, pin_blas, blas_threads=None):
    torch.set_num_threads(n)
    if OB is not None and pin_blas:
        OB.openblas_set_num_threads(blas_threads or n)


# ---------------------------------------------------------------- models
class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.net(x)


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))

    def forward(self, x):
        return self.net(x)


class Deconv(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
            nn.ConvTranspose2d(16, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.Conv2d(16, 1, 3, padding=1), nn.Sigmoid())

    def forward(self, x):
        return self.net(x)


class Recurrent(nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.emb = nn.Embedding(5000, 32)
        if cell == "lstm":
            self.rnn = nn.LSTM(32, 64, batch_first=True)
        elif cell == "gru":
            self.rnn = nn.GRU(32, 64, batch_first=True)
        else:
            self.rnn = nn.RNN(32, 64, nonlinearity="tanh", batch_first=True)
        self.fc = nn.Linear(64, 1)

    def forward(self, tok):
        out, _ = self.rnn(self.emb(tok))
        return self.fc(out[:, -1, :])  # last time step


# ---------------------------------------------------------------- workloads
# Each builder returns (step_fn, work_per_step, unit, extra) where rate = work_per_step * steps / seconds.
def build(name, seed=0, batch=None, seq=None):
    """batch / seq override the workload's batch size and (W5) sequence length (the scaling figures)."""
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed + 1)

    def train_step_fn(model, x, y, loss_fn):
        model.train()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)

        def step():
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
        return step

    def infer_step_fn(model, x):
        model.eval()

        def step():
            with torch.no_grad():
                model(x)
        return step

    if name.startswith("gemm-"):
        n = int(name.split("-")[1])
        A = torch.randn(n, n, generator=g)
        B = torch.randn(n, n, generator=g)

        def step():
            A @ B
        return step, 2.0 * n ** 3 / 1e9, "GFLOPS", {"n": n}

    if name.startswith("mlp-"):
        bs = batch or 128
        model = MLP()
        x = torch.randn(bs, 784, generator=g)
        y = torch.randint(0, 10, (bs,), generator=g)
        if name == "mlp-train":
            return train_step_fn(model, x, y, F.cross_entropy), bs, "samples/s", {"batch": bs}
        return infer_step_fn(model, x), bs, "samples/s", {"batch": bs}

    if name.startswith("cnn-"):
        bs = 1 if name == "cnn-infer1" else batch or 64  # cnn-infer1: batch-1 latency
        model = CNN()
        x = torch.rand(bs, 1, 28, 28, generator=g)
        y = torch.randint(0, 10, (bs,), generator=g)
        if name == "cnn-train":
            return train_step_fn(model, x, y, F.cross_entropy), bs, "samples/s", {"batch": bs}
        return infer_step_fn(model, x), bs, "samples/s", {"batch": bs}

    if name == "deconv-train":
        bs = batch or 32
        model = Deconv()
        x = torch.rand(bs, 1, 14, 14, generator=g)
        y = torch.rand(bs, 1, 28, 28, generator=g)
        return train_step_fn(model, x, y, F.mse_loss), bs, "samples/s", {"batch": bs}

    for cell in ("lstm", "gru", "rnn"):
        if name.startswith(cell + "-"):
            bs, T = batch or 32, seq or 100
            model = Recurrent(cell)
            tok = torch.randint(0, 5000, (bs, T), generator=g)
            y = torch.randint(0, 2, (bs, 1), generator=g).float()
            if name.endswith("-train"):
                return (train_step_fn(model, tok, y, F.binary_cross_entropy_with_logits), bs,
                        "samples/s", {"batch": bs, "seq": T})
            return infer_step_fn(model, tok), bs, "samples/s", {"batch": bs, "seq": T}

    if name == "conv-fwd":
        conv = nn.Conv2d(32, 64, 3, padding=1).eval()
        x = torch.randn(1, 32, 64, 64, generator=g)

        def step():
            with torch.no_grad():
                conv(x)
        return step, 2.0 * 64 * 64 * 32 * 64 * 9 / 1e9, "GFLOPS", {"input": [1, 32, 64, 64]}

    raise ValueError(name)


WORKLOADS = [
    ("W1", "gemm-256"), ("W1", "gemm-512"), ("W1", "gemm-1024"),
    ("W2", "mlp-train"), ("W2", "mlp-infer"),
    ("W3", "cnn-train"), ("W3", "cnn-infer"), ("W3", "cnn-infer1"),
    ("W4", "deconv-train"),
    ("W5", "lstm-train"), ("W5", "lstm-infer"),
    ("W5", "gru-train"), ("W5", "gru-infer"),
    ("W5", "rnn-train"), ("W5", "rnn-infer"),
    ("W6", "conv-fwd"),
]


def sys_busy_s():
    """Busy CPU seconds of the whole machine (all processes), from /proc/stat."""
    f = open("/proc/stat").readline().split()[1:]
    user, nice, system, idle, iowait, irq, softirq, steal = (int(v) for v in f[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def measure(step, work, reps, min_time, warmup):
    for _ in range(warmup):
        step()
    rates, steps_list = [], []
    b_all = sys_busy_s()
    w_all, c_all = time.perf_counter(), time.process_time()
    for _ in range(reps):
        k = 0
        t0 = time.perf_counter()
        while True:
            step()
            k += 1
            dt = time.perf_counter() - t0
            if dt >= min_time:
                break
        rates.append(work * k / dt)
        steps_list.append(k)
    wall = time.perf_counter() - w_all
    own = time.process_time() - c_all
    cpu_per_wall = own / wall
    # CPU used by other processes during the timed repeats, in cores (0 = machine otherwise idle)
    foreign = max(0.0, (sys_busy_s() - b_all - own) / wall)
    return rates, steps_list, cpu_per_wall, foreign


def status_kb(field):
    """A field of /proc/self/status in kB (VmRSS, VmHWM), or None."""
    try:
        for line in open("/proc/self/status"):
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def memory_pass(step, steps, runtime_rss_kb):
    """Peak memory of `steps` steady-state steps, the same way as Strata's side (bench/peak-memory.ts).

    The kernel's RSS high-water mark (VmHWM) is reset by writing 5 to /proc/self/clear_refs, the steps
    run, and VmHWM is read: the most resident memory at any moment of those steps, transient buffers
    included. tracemalloc cannot see torch's tensors (they are not Python allocations), so RSS it is.
    Where the reset is refused, ru_maxrss (the whole process's high-water mark) stands in and says so.
    """
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        reset = True
    except OSError:
        reset = False
    before = status_kb("VmRSS")
    for _ in range(steps):
        step()
    peak = status_kb("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    mb = lambda kb: None if kb is None else round(kb / 1024, 1)
    return {
        "method": "VmHWM after clear_refs=5" if reset else "ru_maxrss (process lifetime; clear_refs refused)",
        "steps": steps, "runtime_rss_mb": mb(runtime_rss_kb), "rss_before_mb": mb(before), "peak_rss_mb": mb(peak),
        "workload_peak_mb": None if peak is None or runtime_rss_kb is None else mb(peak - runtime_rss_kb),
    }


def gemm_library():
    """The library torch's sgemm_ calls come from: the libblas.so.3 torch links (Debian's alternative,
    resolved), else a libopenblas linked directly. OpenBLAS being mapped is not enough: Debian's
    liblapack.so.3 alternative can map OpenBLAS while libblas.so.3 is the reference BLAS."""
    libs = [os.path.realpath(p) for p in mapped_blas_libraries()]
    blas = [p for p in libs if os.path.basename(p).startswith("libblas")]
    if blas:
        return blas[0]
    return next((p for p in libs if "openblas" in os.path.basename(p)), None)


def cpu_flags():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def probe(n=512, reps=3, min_time=0.2):
    """What torch's GEMM runs on: the BLAS libraries mapped, OpenBLAS's core name, and a 1-thread
    n x n GEMM rate (the reference BLAS gives a few GFLOPS, OpenBLAS on one AVX-512 core over 100)."""
    set_threads(1, True)
    g = torch.Generator().manual_seed(3)
    A, B = torch.randn(n, n, generator=g), torch.randn(n, n, generator=g)
    for _ in range(2):
        A @ B
    rates, cpu_rates = [], []
    for _ in range(reps):
        k, t0, c0 = 0, time.perf_counter(), time.process_time()
        while True:
            A @ B
            k += 1
            dt = time.perf_counter() - t0
            if dt >= min_time:
                break
        rates.append(2.0 * n ** 3 * k / dt / 1e9)
        # Per CPU second: what one core does while it has the core, so a busy machine does not
        # make OpenBLAS look like the reference BLAS (20-40x apart either way).
        cpu_rates.append(2.0 * n ** 3 * k / max(time.process_time() - c0, 1e-9) / 1e9)
    config = torch.__config__.show()
    blas_info = next((part.split("=", 1)[1] for part in config.replace(",", " ").split() if part.startswith("BLAS_INFO=")), None)
    return {
        "probe": True, "torch": torch.__version__, "python": sys.executable,
        "blas_libraries": mapped_blas_libraries(),
        "gemm_library": gemm_library(),
        "openblas": OB is not None,
        "openblas_corename": OB.openblas_get_corename().decode() if OB is not None else None,
        "openblas_config": OB.openblas_get_config().decode() if OB is not None else None,
        "torch_blas_info": blas_info,
        "cpu_avx512f": "avx512f" in cpu_flags(),
        "gemm": {"n": n, "threads": 1, "gflops": statistics.median(rates), "reps": rates,
                 "gflops_per_cpu_second": statistics.median(cpu_rates)},
        "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "GLIBC_TUNABLES", "OMP_NUM_THREADS")},
        "openblas_autodetected": os.environ.get("STRATA_OPENBLAS_AUTODETECTED"),
    }


def wait_idle(threshold, max_wait, window=3.0):
    """Block until other processes use < threshold cores over a window (or max_wait passes)."""
    t0 = time.perf_counter()
    while True:
        b, c, w = sys_busy_s(), time.process_time(), time.perf_counter()
        time.sleep(window)
        busy = (sys_busy_s() - b - (time.process_time() - c)) / (time.perf_counter() - w)
        if busy < threshold or time.perf_counter() - t0 > max_wait:
            return time.perf_counter() - t0, busy


def env_info():
    info = {
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "machine": platform.machine(),
        "default_num_threads": None,  # filled in main() before any set_num_threads
        "mkldnn_available": torch.backends.mkldnn.is_available(),
        "mkl_available": torch.backends.mkl.is_available(),
        "openmp_available": torch.backends.openmp.is_available(),
    }
    if OB is not None:
        info["openblas_corename"] = OB.openblas_get_corename().decode()
        info["openblas_config"] = OB.openblas_get_config().decode()
        info["openblas_default_threads"] = OB.openblas_get_num_threads()
    return info


def profile(names, threads, pin_blas):
    from torch.profiler import profile as tprof, ProfilerActivity
    set_threads(threads, pin_blas)
    for name in names:
        step, *_ = build(name)
        for _ in range(2):
            step()
        with tprof(activities=[ProfilerActivity.CPU]) as p:
            for _ in range(3):
                step()
        print(f"===== {name} (threads={threads})")
        print(p.key_averages().table(sort_by="self_cpu_time_total", row_limit=12))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--min-time", type=float, default=2.0)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--only", default=None, help="comma list of workload names")
    ap.add_argument("--out", default=None, help="append JSON lines here (also printed)")
    ap.add_argument("--quick", action="store_true", help="smoke test: reps=1, min-time=0.05")
    ap.add_argument("--no-pin-blas", action="store_true", help="do not set OpenBLAS thread count")
    ap.add_argument("--blas-threads", type=int, default=None,
                    help="diagnostic: pin OpenBLAS to this many threads instead of --threads")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--tag", default=None)
    ap.add_argument("--gate", type=float, default=0.1,
                    help="wait until other processes use < GATE cores before each item, and retry an item "
                         "whose repeats saw more than that (0 disables)")
    ap.add_argument("--gate-max-wait", type=float, default=300.0)
    ap.add_argument("--attempts", type=int, default=3)
    ap.add_argument("--as-is", action="store_true",
                    help="keep the caller's OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE / GLIBC_TUNABLES (default: PyTorch's best)")
    ap.add_argument("--probe", action="store_true",
                    help="print one JSON line on the BLAS torch runs on (libraries, OpenBLAS core, a GEMM rate) and exit")
    ap.add_argument("--batch", type=int, default=None, help="override the batch size (scaling figures)")
    ap.add_argument("--seq", type=int, default=None, help="override the W5 sequence length (scaling figures)")
    ap.add_argument("--memory-steps", type=int, default=3,
                    help="after timing, run this many steps measuring peak memory (0: none)")
    a = ap.parse_args()
    runtime_rss_kb = status_kb("VmRSS")  # before any model is built: the bare interpreter + torch
    if a.probe:
        print(json.dumps(probe()), flush=True)
        return
    default_threads = torch.get_num_threads()
    if a.quick:
        a.reps, a.min_time = 1, 0.05
    pin = not a.no_pin_blas
    names = [n for _, n in WORKLOADS]
    if a.only:
        names = [n for n in names if n in a.only.split(",")]
    if a.profile:
        profile(names, int(a.threads.split(",")[0]), pin)
        return
    env = env_info()
    env["default_num_threads"] = default_threads
    env["env_ATEN_CPU_CAPABILITY"] = os.environ.get("ATEN_CPU_CAPABILITY")
    env["env_OPENBLAS_CORETYPE"] = os.environ.get("OPENBLAS_CORETYPE")
    env["openblas_autodetected"] = os.environ.get("STRATA_OPENBLAS_AUTODETECTED")
    env["env_GLIBC_TUNABLES"] = os.environ.get("GLIBC_TUNABLES")
    env["env_OMP_WAIT_POLICY"] = os.environ.get("OMP_WAIT_POLICY")
    out = open(a.out, "a") if a.out else None
    wid = dict((n, w) for w, n in WORKLOADS)
    for th in [int(t) for t in a.threads.split(",")]:
        set_threads(th, pin, a.blas_threads)
        for name in names:
            best, tries, waited = None, 0, 0.0
            for tries in range(1, (a.attempts if a.gate > 0 else 1) + 1):
                if a.gate > 0:
                    wt, _ = wait_idle(a.gate, a.gate_max_wait)
                    waited += wt
                step, work, unit, extra = build(name, batch=a.batch, seq=a.seq)
                load = open("/proc/loadavg").read().split()[:3]
                res = measure(step, work, a.reps, a.min_time, a.warmup)
                if best is None or res[3] < best[0][3]:
                    best = (res, load)
                if a.gate <= 0 or res[3] < a.gate:
                    break
            (rates, steps, cpw, foreign), load = best
            memory = memory_pass(step, a.memory_steps, runtime_rss_kb) if a.memory_steps > 0 else None
            rec = {
                "impl": "pytorch-cpu", "workload": wid[name], "item": name, "threads": th,
                "torch_threads": torch.get_num_threads(),
                "openblas_threads": OB.openblas_get_num_threads() if OB is not None else None,
                "median": statistics.median(rates), "unit": unit, "reps": rates,
                "steps_per_rep": steps, "min_time_s": a.min_time, "warmup": a.warmup,
                "cpu_per_wall": round(cpw, 3), "other_procs_cores": round(foreign, 3),
                "loadavg_before": load, "memory": memory,
                "attempts": tries, "idle_wait_s": round(waited, 1),
                "utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                **extra, "env": env,
            }
            if a.tag:
                rec["tag"] = a.tag
            line = json.dumps(rec)
            print(line, flush=True)
            if out:
                out.write(line + "\n")
                out.flush()
    if out:
        out.close()


if __name__ == "__main__":
    main()
