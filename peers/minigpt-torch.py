#!/usr/bin/python3
"""peers/minigpt-torch.py — numlab's lecture MiniGPT against the same model
in PyTorch on the CPU: logits, training time, batched inference time.

The model here is numlab's (numlab-minigpt/minigpt.h) written the way a
PyTorch user writes it: the same sizes, initialisation scheme, GELU (tanh
form), LayerNorm epsilon, untied LM head, AdamW with numlab's decay groups
and learning-rate schedule, the same corpus and vocabulary (read from
numlab: `minigpt-bench corpus`). numlab's side is peers/minigpt-bench,
which calls libnumlab-minigpt as the minigpt experiment does.

What it prints, in this order:
  logits   numlab trains the lecture model (blas, seed 1) and saves its
           checkpoint; torch loads it and computes every logit of the
           prompts and of full-context windows of the corpus; the largest
           |torch - numlab| against numlab's host logits (the naive order).
           Above 1e-4 the script fails.
  window   a few training steps of both trainers from that checkpoint on
           one window: losses and weights side by side (loss, gradients,
           AdamW and schedule agree up to float32 noise).
  train    ms per training step, 400 steps (the lecture's run), numlab on
           each backend at 1 and 2 threads and torch at 1 and 2 threads,
           in interleaved rounds (each round runs every configuration
           once), medians over the rounds with their spread, and the
           speed-up torch/numlab per round.
  infer    one batched forward pass of 16 sequences x 16 tokens, the same
           way (numlab's weights resident on the backend).

Threads: numlab's backend option threads=N sets its kernels' threads, and
nl_gpt_trainer_set_threads(N) the host threads of the backward pass and
AdamW ('host' runs everything on one thread); torch.set_num_threads(N) (and
OpenBLAS's own count, where torch's products go to the system OpenBLAS).
OMP_WAIT_POLICY=PASSIVE is set for both sides unless --spin is given:
on a 2-core machine idle OpenMP threads that spin steal the core the
other thread pool (OpenBLAS, libgomp) needs, and 2-thread times grow
tenfold under any other load.

Training is the same model, configuration and data, not the same bits:
torch draws its windows with its own generator and sums in its own order.

Needs python3-torch and python3-numpy; without torch it says so and exits
0. Run: make bench-minigpt [BENCH_MINIGPT_FLAGS='--rounds 5'].
"""
import argparse
import ctypes
import math
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time

if "--spin" not in sys.argv:
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"  # before torch starts libgomp

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:
    print(f"minigpt bench: skipped: {e.name} is not installed "
          "(apt-get install python3-torch python3-numpy)")
    sys.exit(0)

# numlab-minigpt/lecture.h and nl_gpt_train_config_default()
LECTURE = dict(context=16, d_model=48, n_layer=2, n_head=4, steps=400,
               batch=16, lr=3e-3, beta1=0.9, beta2=0.99, eps=1e-8,
               weight_decay=0.01)
LN_EPS = 1e-5  # GPT_LN_EPS, private.h
PROMPTS = ["die katze", "der hund", "das kind spielt"]
TENSORS = ("wte", "wpe", "ln1_g", "ln1_b", "w_qkv", "b_qkv", "w_proj",
           "b_proj", "ln2_g", "ln2_b", "w_fc", "b_fc", "w_fc2", "b_fc2",
           "lnf_g", "lnf_b", "w_lm")


def shapes(V, T, C, L):
    """Every tensor's shape, per-layer tensors stacked, matrices (in, out)."""
    return {"wte": (V, C), "wpe": (T, C), "ln1_g": (L, C), "ln1_b": (L, C),
            "w_qkv": (L, C, 3 * C), "b_qkv": (L, 3 * C),
            "w_proj": (L, C, C), "b_proj": (L, C), "ln2_g": (L, C),
            "ln2_b": (L, C), "w_fc": (L, C, 4 * C), "b_fc": (L, 4 * C),
            "w_fc2": (L, 4 * C, C), "b_fc2": (L, C), "lnf_g": (C,),
            "lnf_b": (C,), "w_lm": (C, V)}


def load_checkpoint(path):
    """(config, vocabulary, {name: array}) of a numlab checkpoint
    (doc/checkpoint-format.md, version 1)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"NLMINGPT" or len(data) < 36:
        sys.exit(f"{path}: not a MiniGPT checkpoint")
    version, V, T, C, L, H, nbytes = struct.unpack_from("<7I", data, 8)
    if version != 1:
        sys.exit(f"{path}: format version {version}, this reads 1")
    pos, vocab = 36, []
    while pos < 36 + nbytes:
        n = data[pos]
        vocab.append(data[pos + 1:pos + 1 + n].decode("utf-8"))
        pos += 1 + n
    sh = shapes(V, T, C, L)
    P = sum(int(np.prod(sh[k])) for k in TENSORS)
    if len(vocab) != V or len(data) != pos + 4 * P:
        sys.exit(f"{path}: inconsistent sizes")
    flat = np.frombuffer(data, dtype="<f4", count=P, offset=pos)
    weights, off = {}, 0
    for k in TENSORS:
        n = int(np.prod(sh[k]))
        weights[k] = flat[off:off + n].reshape(sh[k]).astype(np.float32)
        off += n
    return dict(vocab_size=V, context=T, d_model=C, n_layer=L,
                n_head=H), vocab, weights


class MiniGPT(torch.nn.Module):
    """numlab's MiniGPT, parameters under numlab's names and layouts."""

    def __init__(self, vocab_size, context, d_model, n_layer, n_head):
        super().__init__()
        self.config = dict(vocab_size=vocab_size, context=context,
                           d_model=d_model, n_layer=n_layer, n_head=n_head)
        for k, s in shapes(vocab_size, context, d_model, n_layer).items():
            setattr(self, k, torch.nn.Parameter(torch.zeros(s)))
        future = torch.triu(torch.ones(context, context, dtype=torch.bool), 1)
        self.register_buffer("future", future, persistent=False)

    def init_weights(self, gen):
        """nl_gpt_init's scheme: N(0, 0.02), the residual projections
        0.02/sqrt(2L); LayerNorm gains 1, biases 0."""
        proj = 0.02 / math.sqrt(2.0 * self.config["n_layer"])
        with torch.no_grad():
            for k in TENSORS:
                p = getattr(self, k)
                if k.endswith("_g"):
                    p.fill_(1.0)
                elif k.startswith("b") or k.endswith("_b"):
                    p.zero_()
                else:
                    std = proj if k in ("w_proj", "w_fc2") else 0.02
                    p.normal_(0.0, std, generator=gen)

    def forward(self, tokens):
        B, n = tokens.shape
        C, H = self.config["d_model"], self.config["n_head"]
        hs = C // H
        scale = torch.tensor(float(hs)).sqrt()  # numlab: sqrtf(hs)
        x = self.wte[tokens] + self.wpe[:n]
        for l in range(self.config["n_layer"]):
            h = F.layer_norm(x, (C,), self.ln1_g[l], self.ln1_b[l], LN_EPS)
            qkv = h @ self.w_qkv[l] + self.b_qkv[l]
            q, k, v = (t.reshape(B, n, H, hs).transpose(1, 2)
                       for t in qkv.split(C, dim=-1))
            s = (q @ k.transpose(-1, -2)) / scale
            a = torch.softmax(s.masked_fill(self.future[:n, :n],
                                            float("-inf")), dim=-1)
            y = (a @ v).transpose(1, 2).reshape(B, n, C)
            x = x + (y @ self.w_proj[l] + self.b_proj[l])
            h = F.layer_norm(x, (C,), self.ln2_g[l], self.ln2_b[l], LN_EPS)
            h = F.gelu(h @ self.w_fc[l] + self.b_fc[l], approximate="tanh")
            x = x + (h @ self.w_fc2[l] + self.b_fc2[l])
        x = F.layer_norm(x, (C,), self.lnf_g, self.lnf_b, LN_EPS)
        return x @ self.w_lm


def from_checkpoint(path):
    config, vocab, weights = load_checkpoint(path)
    m = MiniGPT(**config)
    with torch.no_grad():
        for k in TENSORS:
            getattr(m, k).copy_(torch.from_numpy(weights[k]))
    return m, vocab


def learning_rate(peak, steps, step):
    """train.c: linear warm-up over 5% of the steps, cosine decay to 10%."""
    warm = max(1.0, 0.05 * steps)
    if step < warm:
        return peak * (step + 1) / warm
    f = (step - warm) / max(1.0, steps - warm)
    return peak * (0.1 + 0.45 * (1.0 + math.cos(math.pi * min(f, 1.0))))


def optimizer(model, tc):
    """AdamW; decay on the tensors whose name starts with 'w' only."""
    named = list(model.named_parameters())
    return torch.optim.AdamW(
        [{"params": [p for k, p in named if k.startswith("w")],
          "weight_decay": tc["weight_decay"]},
         {"params": [p for k, p in named if not k.startswith("w")],
          "weight_decay": 0.0}],
        lr=tc["lr"], betas=(tc["beta1"], tc["beta2"]), eps=tc["eps"])


def train_step(model, opt, windows, tc, step):
    for g in opt.param_groups:
        g["lr"] = learning_rate(tc["lr"], tc["steps"], step)
    logits = model(windows[:, :-1])
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                           windows[:, 1:].reshape(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss.item()


def torch_train(vocab, data, tc, seed):
    """ms per step of one training run (the loop, as numlab times it)."""
    T, B = tc["context"], tc["batch"]
    gen = torch.Generator().manual_seed(seed)
    model = MiniGPT(len(vocab), T, tc["d_model"], tc["n_layer"],
                    tc["n_head"])
    model.init_weights(gen)
    opt = optimizer(model, tc)
    offsets = torch.arange(T + 1)
    t0 = time.perf_counter()
    for step in range(tc["steps"]):
        starts = torch.randint(0, len(data) - T, (B, 1), generator=gen)
        train_step(model, opt, data[starts + offsets], tc, step)
    return 1e3 * (time.perf_counter() - t0) / tc["steps"]


def torch_infer(model, tokens, reps):
    ms = []
    with torch.inference_mode():
        for r in range(reps + 3):
            t0 = time.perf_counter()
            model(tokens)
            if r >= 3:
                ms.append(1e3 * (time.perf_counter() - t0))
    return statistics.median(ms)


def set_threads(n):
    """torch's threads and, where torch's products go to the system
    OpenBLAS, OpenBLAS's (torch.set_num_threads does not reach it)."""
    torch.set_num_threads(n)
    try:
        blas = ctypes.CDLL("libopenblas.so.0",
                           mode=os.RTLD_NOLOAD | os.RTLD_NOW)
        blas.openblas_set_num_threads(ctypes.c_int(n))
    except OSError:
        pass


def bench(args, *words):
    res = subprocess.run([args.bench] + [str(w) for w in words],
                         capture_output=True, text=True)
    if res.returncode:
        sys.exit(f"{args.bench} {' '.join(map(str, words))}: "
                 f"{res.stderr.strip()}")
    return res.stdout


def corpus(args):
    vocab, data = [], []
    for line in bench(args, "corpus").splitlines():
        key, value = line.split("\t", 1)
        if key == "word":
            vocab.append(value)
        else:
            data = [int(t) for t in value.split()]
    return vocab, torch.tensor(data, dtype=torch.long)


def check_logits(args, ckpt, vocab, data):
    model, ck_vocab = from_checkpoint(ckpt)
    if ck_vocab != vocab:
        sys.exit("the checkpoint's vocabulary is not the corpus'")
    T = model.config["context"]
    texts = list(PROMPTS)
    for i in range(4):  # full-context windows of the corpus
        s = i * (len(data) - T) // 4
        texts.append(" ".join(vocab[t] for t in data[s:s + T]))
    ref = {}
    for line in bench(args, "logits", ckpt, *texts).splitlines():
        p, t, v, z = line.split("\t")
        ref.setdefault(p, {})[(int(t), int(v))] = float(z)
    worst, count, flips = 0.0, 0, 0
    index = {w: i for i, w in enumerate(vocab)}
    with torch.inference_mode():
        for p in texts:
            tok = torch.tensor([[index[w] for w in p.split()]])
            mine = model(tok)[0].double().numpy()
            r = np.zeros_like(mine)
            for (t, v), z in ref[p].items():
                r[t, v] = z
            worst = max(worst, float(np.abs(mine - r).max()))
            flips += int((mine.argmax(1) != r.argmax(1)).sum())
            count += r.size
    print(f"logits: {count} logits of {len(texts)} inputs ({len(PROMPTS)} "
          f"prompts, 4 corpus windows of {T} words): max |torch - numlab| = "
          f"{worst:.3g}, argmax differs at {flips} positions")
    if worst > 1e-4:
        sys.exit("logits: torch and numlab disagree beyond float32 noise")


def check_window(args, ckpt, vocab, data, steps=5):
    model, _ = from_checkpoint(ckpt)
    T = model.config["context"]
    window = data[100:100 + T + 1]
    text = " ".join(vocab[t] for t in window)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "after.ckpt")
        lines = bench(args, "window", ckpt, out, steps, text).splitlines()
        _, _, after = load_checkpoint(out)
    theirs = [float(line.split("\t")[2]) for line in lines]
    tc = dict(LECTURE)
    opt = optimizer(model, tc)
    windows = window.unsqueeze(0).repeat(tc["batch"], 1)
    loss_d = max(abs(train_step(model, opt, windows, tc, s) - theirs[s])
                 for s in range(steps))
    wd = {k: float(np.abs(getattr(model, k).detach().numpy() -
                          after[k]).max()) for k in TENSORS}
    rest = max(v for k, v in wd.items() if k != "b_qkv")
    print(f"window: {steps} training steps on one window from the "
          f"checkpoint: losses within {loss_d:.2g}, weights within "
          f"{rest:.2g} (b_qkv {wd['b_qkv']:.2g}: the key bias has a zero "
          "gradient, which Adam turns float noise into steps of lr)")


def spread(values):
    """median [min-max]"""
    return (statistics.median(values), min(values), max(values))


def show(label, values, unit="ms"):
    m, lo, hi = spread(values)
    return f"{label:24s} {m:8.3f} {unit}  [{lo:.3f}-{hi:.3f}]"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default="peers/minigpt-bench",
                    help="numlab's side (default %(default)s)")
    ap.add_argument("--backends", default="blas,openmp,host",
                    help="numlab backends to time, comma-separated "
                    "(default %(default)s; 'host': no backend, the host "
                    "loops in the naive order, one thread)")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=LECTURE["steps"])
    ap.add_argument("--reps", type=int, default=200,
                    help="batched forward passes per inference timing")
    ap.add_argument("--spin", action="store_true",
                    help="leave OMP_WAIT_POLICY as it is")
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    backends = args.backends.split(",")
    load = os.getloadavg()
    print(f"torch {torch.__version__}, {os.cpu_count()} CPUs, load average "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; OMP_WAIT_POLICY="
          f"{os.environ.get('OMP_WAIT_POLICY', '(unset)')}")
    vocab, data = corpus(args)
    tc = dict(LECTURE, steps=args.steps)
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = os.path.join(tmp, "lecture.ckpt")
        bench(args, "train", "blas:threads=1", 1, LECTURE["steps"], 1, ckpt)
        check_logits(args, ckpt, vocab, data)
        check_window(args, ckpt, vocab, data)
        model, _ = from_checkpoint(ckpt)
        model.eval()
        V, B, n = len(vocab), 16, 16
        tokens = ((7 * torch.arange(B * n) + 3) % V).reshape(B, n)
        train_ms, infer_ms = {}, {}
        for r in range(args.rounds):
            for t in threads:
                for be in backends:
                    if be == "host" and t != 1:
                        continue  # host loops run on one thread
                    spec = be if be == "host" else f"{be}:threads={t}"
                    f = bench(args, "train", spec, t, args.steps,
                              1).split()
                    train_ms.setdefault((spec, t), []).append(float(f[3]))
                    f = bench(args, "infer", spec, ckpt, B, n,
                              args.reps).split()
                    infer_ms.setdefault((spec, t), []).append(float(f[2]))
                set_threads(t)
                train_ms.setdefault(("torch", t), []).append(
                    torch_train(vocab, data, tc, 42 + r))
                infer_ms.setdefault(("torch", t), []).append(
                    torch_infer(model, tokens, args.reps))
            print(f"round {r + 1} of {args.rounds} done", flush=True)
    for title, ms in (("training, ms per step (%d steps, batch 16 x 16 "
                       "tokens)" % args.steps, train_ms),
                      ("batched inference, ms per forward pass of "
                       f"{B} x {n} tokens", infer_ms)):
        print(f"\n{title}: median over {args.rounds} rounds [min-max]")
        for t in threads:
            base = ms[("torch", t)]
            print(show(f"torch threads={t}", base))
            for (spec, tt), v in ms.items():
                if tt != t or spec == "torch":
                    continue
                speed = [b / x for b, x in zip(base, v)]
                m, lo, hi = spread(speed)
                print(f"{show('numlab ' + spec, v)}  torch/numlab "
                      f"{m:.2f}x [{lo:.2f}-{hi:.2f}]")
    load = os.getloadavg()
    print(f"\nload average at the end: {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f}")


if __name__ == "__main__":
    main()
