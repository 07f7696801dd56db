#!/usr/bin/env python3
"""peers/temperature.py — numlab's sampler and softmax against numpy's.

Times numpy's rng.choice(V, size=N, p=probs) and a numpy softmax
(x / T, max subtracted, exp, normalized) at V = 6 and V = 50257, runs
`numlab bench` limited to the same two measurements (libnumlab's sampler
on one core, each backend's softmax), and prints numlab's speed over
numpy's. Without numpy it prints one line saying so and exits 0.

Usage: peers/temperature.py [--numlab PATH] [--backends LIST]
(default: ./framework/numlab of the build tree, backends naive,openmp).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

try:
    import numpy as np
except ImportError:
    print("peers/temperature.py: skipped, python3-numpy is not installed")
    sys.exit(0)

SIZES = (6, 50257)


def best(f, min_time=0.3):
    """Best seconds of one call of f over repeated calls."""
    f()
    t_best, start = float("inf"), time.perf_counter()
    while time.perf_counter() - start < min_time:
        t = time.perf_counter()
        f()
        t_best = min(t_best, time.perf_counter() - t)
    return t_best


def softmax(x, t):
    z = x / t
    e = np.exp(z - z.max())
    return e / e.sum()


def numpy_rates():
    rng = np.random.default_rng(42)
    out = {}
    for v in SIZES:
        logits = rng.standard_normal(v)
        p = softmax(logits, 1.0)
        n = 1_000_000
        s = best(lambda: rng.choice(v, size=n, p=p))
        out[("sample", v)] = n / s / 1e6  # million draws per second
        x = logits.astype(np.float32)
        out[("softmax", v)] = best(lambda: softmax(x, np.float32(1.0)))
    return out


def numlab_rates(numlab, backends):
    with tempfile.TemporaryDirectory() as d:
        cmd = [numlab, "bench", "-b", backends, "-o", d,
               "-p", "kernels=softmax,sample", "-p", "sizes=1000",
               "-p", "gemm_sizes=16", "-p", "softmax_sizes=6,50257",
               "-p", "sample_sizes=6,50257"]
        res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit("numlab bench failed: " + res.stderr.strip())
    rows = []
    for line in res.stdout.splitlines():
        kv = dict(w.split("=", 1) for w in line.split() if "=" in w)
        if kv.get("kernel") in ("sample", "softmax"):
            rows.append(kv)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--numlab", default=os.path.join(here, "..", "framework", "numlab"))
    ap.add_argument("--backends", default="naive,openmp")
    args = ap.parse_args()
    ref = numpy_rates()
    print(f"numpy {np.__version__}")
    for kv in numlab_rates(args.numlab, args.backends):
        v = int(kv["n"])
        if kv["kernel"] == "sample":
            mine, theirs = float(kv["rate"]), ref[("sample", v)]
            print(f"sample V={v}: numlab {mine:.1f} Mdraws/s, numpy rng.choice "
                  f"{theirs:.1f} Mdraws/s, ratio {mine / theirs:.1f}")
        else:
            mine, theirs = float(kv["seconds"]), ref[("softmax", v)]
            print(f"softmax V={v} backend={kv['backend']}: numlab {mine * 1e6:.2f} us, "
                  f"numpy {theirs * 1e6:.2f} us, ratio (numpy time / numlab time) "
                  f"{theirs / mine:.1f}")


if __name__ == "__main__":
    main()
