#!/usr/bin/env python3
"""peers/reduction-tree.py — the lecture notebook's reduction-tree sweep in
Python, against numlab's, on the same values.

The notebook computes a tiled tree sum the obvious way: each tile summed
with Python's sum() over np.float32 values, then the tile partials added in
pairs, level by level. This script runs that over the whole A5 sweep
(num_ctx 1..4096, tiles 32..512 by default), checks that every result has
exactly the bits of numlab's tree model, and sets its time against the
sweep times numlab measured in the same run (a5-timing-model.dat: the
model's incremental sweep; a5-timing.dat: one tiled_sum call per num_ctx
and tile on each backend). The goal is a speed-up of at least 200x.

Usage: python3 peers/reduction-tree.py [--numlab PATH] [--backends LIST]
                                       [--num-ctx FROM:TO] [--tiles LIST]
Without numpy it says so and exits 0.
"""
import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

try:
    import numpy as np
except ImportError:
    print("reduction-tree bench: skipped: python3-numpy is not installed "
          "(apt-get install python3-numpy)")
    sys.exit(0)

GOAL = 200.0


def read_dat(path):
    """The datasets of a numlab .dat file: lists of rows of text cells."""
    datasets, rows, blanks = [], [], 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                continue
            if not line.strip():
                blanks += 1
                continue
            if blanks >= 2 and rows:
                datasets.append(rows)
                rows = []
            blanks = 0
            rows.append(shlex.split(line))
    datasets.append(rows)
    return datasets


def backend_labels(folder):
    with open(os.path.join(folder, "backends.gp"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("backends = "):
                return shlex.split(line.split("=", 1)[1])[0].split()
    return []


def notebook_tree(x, tile):
    """The lecture notebook's tiled sum: sum() per tile, then pairs."""
    partials = [sum(x[s:s + tile], np.float32(0)) for s in range(0, len(x), tile)]
    while len(partials) > 1:
        partials = [partials[i] + partials[i + 1] if i + 1 < len(partials)
                    else partials[i] for i in range(0, len(partials), 2)]
    return partials[0]


def find_numlab(given):
    if given:
        return given
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                        "framework", "numlab")
    return here if os.access(here, os.X_OK) else shutil.which("numlab")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--numlab", help="the numlab binary (default: the build "
                    "tree's, else numlab on PATH)")
    ap.add_argument("--backends", default="naive,blas,openmp")
    ap.add_argument("--num-ctx", default="1:4096")
    ap.add_argument("--tiles", default="32,64,128,256,512")
    args = ap.parse_args()
    numlab = find_numlab(args.numlab)
    if not numlab:
        sys.exit("reduction-tree bench: no numlab binary (build it, or give "
                 "--numlab PATH)")

    with tempfile.TemporaryDirectory() as out:
        # A4's and A7's parts kept tiny: only the sweep is compared.
        cmd = [numlab, "run", "reduction-tree", "-b", args.backends, "-o", out,
               "-p", "num_ctx=" + args.num_ctx, "-p", "tiles=" + args.tiles,
               "-p", "table_ctx=1", "-p", "table_tile=1",
               "-p", "diagram_ctx=1", "-p", "diagram_tile=1",
               "-p", "batch=1", "-p", "a7_k=1", "-p", "a7_n=1",
               "-p", "reduce_n=1"]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit("reduction-tree bench: numlab failed: " + run.stderr.strip())
        folder = os.path.join(out, "reduction-tree")
        x = np.array([float(r[1]) for r in read_dat(
            os.path.join(folder, "a5-values.dat"))[0]], dtype=np.float32)
        model = read_dat(os.path.join(folder, "a5-model.dat"))
        model_time = read_dat(os.path.join(folder, "a5-timing-model.dat"))[0][0]
        times = read_dat(os.path.join(folder, "a5-timing.dat"))
        labels = backend_labels(folder)

    tiles = [int(t) for t in args.tiles.split(",")]
    elements = float(model_time[2])
    mismatches, points = 0, 0
    start = time.perf_counter()
    for d, tile in enumerate(tiles):
        for row in model[d]:
            n = int(row[0])
            value = notebook_tree(x[:n], tile)
            points += 1
            if np.float32(row[2]).view(np.uint32) != np.float32(value).view(np.uint32):
                mismatches += 1
    python_s = time.perf_counter() - start

    print(f"sweep: num_ctx {args.num_ctx}, tiles {args.tiles}: {points} tree "
          f"sums, {elements:,.0f} summed elements")
    print(f"python (the notebook's sum() per tile, numpy {np.__version__}): "
          f"{python_s:.3f} s, {python_s / elements * 1e9:.1f} ns per element")
    print(f"bits: {points - mismatches} of {points} sums equal numlab's tree "
          f"model bit for bit")
    rows = [("model (tree.c, incremental)", float(model_time[3]))]
    rows += [(f"{label} (tiled_sum per num_ctx)", float(times[i][0][3]))
             for i, label in enumerate(labels)]
    for name, seconds in rows:
        ratio = python_s / seconds
        print(f"numlab {name}: {seconds * 1e3:.2f} ms, speed-up {ratio:,.0f}x"
              f" ({'meets' if ratio >= GOAL else 'misses'} the {GOAL:.0f}x goal)")
    return 0 if mismatches == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
