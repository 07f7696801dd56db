# notebook-next-token-sampling.txt, code cells run verbatim in order; plt.* replaced by a no-op stub (matplotlib not installed)
import numpy as np
print('numpy', np.__version__)
class _P:
    def __getattr__(self, n): return lambda *a, **k: None
plt = _P()
# cell 1
rng = np.random.default_rng(42)
np.set_printoptions(precision=4, suppress=True)
# cell 2
vocab = ["Paris", "Berlin", "Rom", "Frankreich", ".", "<EOS>"]
logits = np.array([2.4, 1.2, 0.3, 2.0, 0.1, -0.5], dtype=float)
print("Vokabular:", vocab)
print("Logits:   ", logits)
# cell 3
def softmax(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    z_shift = z - np.max(z)
    exp_z = np.exp(z_shift)
    return exp_z / np.sum(exp_z)
probs = softmax(logits)
print("Wahrscheinlichkeiten:", probs)
print("Summe:", probs.sum())
# cell 4
def plot_probs(tokens, p, title="Wahrscheinlichkeiten (Softmax)"):
    x = np.arange(len(tokens))
    plt.figure(figsize=(8, 3)); plt.bar(x, p); plt.xticks(x, tokens, rotation=20, ha="right")
    plt.ylim(0, max(0.01, float(np.max(p)) * 1.15)); plt.title(title); plt.ylabel("p"); plt.tight_layout(); plt.show()
plot_probs(vocab, probs, title="Softmax auf Logits (T = 1.0)")
# cell 5
def softmax_with_temperature(z: np.ndarray, T: float) -> np.ndarray:
    if T <= 0:
        raise ValueError("Temperatur T muss > 0 sein.")
    return softmax(z / T)
for T in [0.5, 1.0, 1.5, 2.0]:
    pT = softmax_with_temperature(logits, T)
    entropy = float(-(pT * np.log(pT + 1e-12)).sum())
    print(f"T={T:>3}: p_max={pT.max():.4f}, Entropie={entropy:.4f}")
# cell 6
for T in [0.5, 1.0, 2.0]:
    plot_probs(vocab, softmax_with_temperature(logits, T), title=f"Softmax mit Temperatur T={T}")
# cell 7
def argmax_choice(tokens, p):
    idx = int(np.argmax(p)); return tokens[idx], idx
def sample_choice(tokens, p, rng: np.random.Generator):
    idx = int(rng.choice(len(tokens), p=p)); return tokens[idx], idx
p = softmax_with_temperature(logits, T=1.0)
am_token, am_idx = argmax_choice(vocab, p)
print("Argmax:", am_token, "(idx=", am_idx, ")")
samples = [sample_choice(vocab, p, rng)[0] for _ in range(15)]
print("Sampling (15x):", samples)
# cell 8
def sample_many(tokens, p, n=2000, rng=None):
    rng = rng or np.random.default_rng()
    idxs = rng.choice(len(tokens), size=n, p=p)
    counts = np.bincount(idxs, minlength=len(tokens))
    rel = counts / n
    return counts, rel
T = 1.2
pT = softmax_with_temperature(logits, T)
counts, rel = sample_many(vocab, pT, n=3000, rng=rng)
print("Temperatur:", T)
print("Theorie p:", pT)
print("Empirie :", rel)
print("[extra] counts:", counts, " expected:", np.round(3000*pT,1))
plot_probs(vocab, rel, title=f"Empirische Häufigkeiten (Sampling, n=3000, T={T})")
# cell 9
logits2 = logits.copy()
logits2[vocab.index("Paris")] = 1.6
logits2[vocab.index("Frankreich")] = 2.2
logits2[vocab.index(".")] = 1.4
for T in [0.7, 1.0, 1.3]:
    p2 = softmax_with_temperature(logits2, T)
    token_am, _ = argmax_choice(vocab, p2)
    samples2 = [sample_choice(vocab, p2, rng)[0] for _ in range(12)]
    print(f"\nT={T}")
    print("Argmax:", token_am)
    print("Sampling:", samples2)
    print("[extra] p2:", p2, " Paris drawn", samples2.count('Paris'), " Frankreich drawn", samples2.count('Frankreich'))
    plot_probs(vocab, p2, title=f"Variante logits2 – Softmax mit T={T}")
# extras: entropy in bits, limits
print('\n[extra] entropies in nats and bits:')
for T in [0.5,1.0,1.5,2.0]:
    pT=softmax_with_temperature(logits,T); H=-(pT*np.log(pT)).sum()
    print(f'  T={T}: H={H:.4f} nats = {H/np.log(2):.4f} bits, 2^H_bits={np.exp(H):.3f}, max ln6={np.log(6):.4f} nats / log2 6={np.log2(6):.4f} bits')
for T in [0.2, 3.0]:
    print('  Aufgabe 1 T=',T, softmax_with_temperature(logits,T))
