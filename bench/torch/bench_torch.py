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
"""
import argparse, ctypes, json, os, platform, statistics, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F


def load_openblas():
    try:
        ob = ctypes.CDLL("libopenblas.so.0")
        ob.openblas_get_corename.restype = ctypes.c_char_p
        ob.openblas_get_config.restype = ctypes.c_char_p
        return ob
    except OSError:
        return None


OB = load_openblas()


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
def build(name, seed=0):
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
        bs = 128
        model = MLP()
        x = torch.randn(bs, 784, generator=g)
        y = torch.randint(0, 10, (bs,), generator=g)
        if name == "mlp-train":
            return train_step_fn(model, x, y, F.cross_entropy), bs, "samples/s", {"batch": bs}
        return infer_step_fn(model, x), bs, "samples/s", {"batch": bs}

    if name.startswith("cnn-"):
        bs = 1 if name == "cnn-infer1" else 64  # cnn-infer1: batch-1 latency
        model = CNN()
        x = torch.rand(bs, 1, 28, 28, generator=g)
        y = torch.randint(0, 10, (bs,), generator=g)
        if name == "cnn-train":
            return train_step_fn(model, x, y, F.cross_entropy), bs, "samples/s", {"batch": bs}
        return infer_step_fn(model, x), bs, "samples/s", {"batch": bs}

    if name == "deconv-train":
        bs = 32
        model = Deconv()
        x = torch.rand(bs, 1, 14, 14, generator=g)
        y = torch.rand(bs, 1, 28, 28, generator=g)
        return train_step_fn(model, x, y, F.mse_loss), bs, "samples/s", {"batch": bs}

    for cell in ("lstm", "gru", "rnn"):
        if name.startswith(cell + "-"):
            bs, T = 32, 100
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
    a = ap.parse_args()
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
                step, work, unit, extra = build(name)
                load = open("/proc/loadavg").read().split()[:3]
                res = measure(step, work, a.reps, a.min_time, a.warmup)
                if best is None or res[3] < best[0][3]:
                    best = (res, load)
                if a.gate <= 0 or res[3] < a.gate:
                    break
            (rates, steps, cpw, foreign), load = best
            rec = {
                "impl": "pytorch-cpu", "workload": wid[name], "item": name, "threads": th,
                "torch_threads": torch.get_num_threads(),
                "openblas_threads": OB.openblas_get_num_threads() if OB is not None else None,
                "median": statistics.median(rates), "unit": unit, "reps": rates,
                "steps_per_rep": steps, "min_time_s": a.min_time, "warmup": a.warmup,
                "cpu_per_wall": round(cpw, 3), "other_procs_cores": round(foreign, 3),
                "loadavg_before": load,
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
