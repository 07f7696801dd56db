# Verbatim copy of notebook-transformer-blocks-reproducibility.txt, cell "4. Floating-Point-Arithmetik" (lines 445-510)
import numpy as np
print("numpy", np.__version__)
import struct

def float_to_bits(f):
    """Zeigt die Binaerdarstellung eines float32."""
    return format(struct.unpack('!I', struct.pack('!f', f))[0], '032b')

print("=" * 70)
print("DEMO: Floating-Point ist nicht assoziativ")
print("=" * 70)

# Beispiel 1: Einfache Addition
a = np.float32(1.0)
b = np.float32(1e-7)
c = np.float32(1e-7)

result1 = np.float32(np.float32(a + b) + c)  # (a + b) + c
result2 = np.float32(a + np.float32(b + c))   # a + (b + c)

print(f"\na = {a}, b = {b}, c = {c}")
print(f"(a + b) + c = {result1:.15f}")
print(f"a + (b + c) = {result2:.15f}")
print(f"Differenz:    {abs(result1 - result2):.2e}")
print(f"Gleich?       {result1 == result2}")

# Beispiel 2: Groessere Summe (wie in einer Attention-Berechnung)
print(f"\n{'=' * 70}")
print("DEMO: Unterschiedliche Summationsreihenfolge")
print("(simuliert GPU-Reduktionsbaum mit verschiedenen Tile-Groessen)")
print("=" * 70)

np.random.seed(42)
values = np.random.randn(1024).astype(np.float32)  # 1024 "Attention Scores"

# Sequentielle Summe (wie CPU)
seq_sum = np.float32(0.0)
for v in values:
    seq_sum = np.float32(seq_sum + v)

# Reduktionsbaum mit Blockgroesse 64 (wie Flash Attention mit num_ctx=1024)
def tree_reduce(arr, block_size):
    """Simuliert GPU-Reduktion: erst Bloecke summieren, dann Bloecke zusammenfuehren."""
    blocks = [arr[i:i+block_size] for i in range(0, len(arr), block_size)]
    block_sums = [np.float32(sum(b.astype(np.float32))) for b in blocks]
    # Paarweise zusammenfuehren (Reduktionsbaum)
    while len(block_sums) > 1:
        new_sums = []
        for i in range(0, len(block_sums), 2):
            if i + 1 < len(block_sums):
                new_sums.append(np.float32(block_sums[i] + block_sums[i+1]))
            else:
                new_sums.append(block_sums[i])
        block_sums = new_sums
    return block_sums[0]

# Verschiedene Blockgroessen simulieren verschiedene num_ctx-Werte
block_sizes = [32, 64, 128, 256, 512]
print(f"\nSequentielle Summe:  {seq_sum:.10f}")
print()
for bs in block_sizes:
    result = tree_reduce(values, bs)
    diff = abs(result - seq_sum)
    print(f"Blockgroesse {bs:>3}: {result:.10f}  (Diff: {diff:.2e})")

print(f"\n→ Alle Ergebnisse SOLLTEN gleich sein, sind es aber nicht!")
print(f"  Diese winzigen Unterschiede koennen bei knappen Logit-Entscheidungen")
print(f"  die Token-Wahl kippen.")
