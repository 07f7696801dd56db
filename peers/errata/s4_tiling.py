import numpy as np
from fractions import Fraction as Fr
print('numpy', np.__version__)
def tree_reduce(arr, block_size, np2=False):
    blocks = [arr[i:i+block_size] for i in range(0, len(arr), block_size)]
    if np2:
        def bsum(b):
            s = np.float32(0)
            for v in b: s = np.float32(s+v)
            return s
        block_sums = [bsum(b) for b in blocks]
    else:
        block_sums = [np.float32(sum(b.astype(np.float32))) for b in blocks]   # verbatim notebook line
    while len(block_sums) > 1:
        new_sums = []
        for i in range(0, len(block_sums), 2):
            if i + 1 < len(block_sums):
                new_sums.append(np.float32(block_sums[i] + block_sums[i+1]))
            else:
                new_sums.append(block_sums[i])
        block_sums = new_sums
    return block_sums[0]
# verbatim simulate_tiling_effect (lines 621-654), plus an np2 flag
def simulate_tiling_effect(np2=False):
    np.random.seed(42)
    context_sizes = [512, 1024, 1023, 2048, 4096]
    tile_size = 128
    print("=" * 70); print("Simulation: Wie Tile-Groesse die Berechnung beeinflusst" + ("  [numpy-2 semantics emulated]" if np2 else "")); print("=" * 70)
    base_scores = np.random.randn(4096).astype(np.float32)
    results = {}
    for ctx in context_sizes:
        scores = base_scores[:ctx]
        n_tiles = (ctx + tile_size - 1) // tile_size
        has_rest = ctx % tile_size != 0
        rest_size = ctx % tile_size if has_rest else tile_size
        result = tree_reduce(scores, tile_size, np2)
        results[ctx] = result
        rest_info = f" + Rest-Tile ({rest_size})" if has_rest else " (sauber)"
        print(f"  num_ctx={ctx:>4}: {n_tiles:>2} Tiles{rest_info:<20}  Summe = {result:.10f}")
    if 1024 in results and 1023 in results:
        diff = abs(results[1024] - results[1023])
        print(f"\n  Differenz 1024 vs 1023: {diff:.2e}")
        print(f"  → Nur 1 Token Unterschied im Context, aber anderes Ergebnis!")
    return base_scores, results
base, r1 = simulate_tiling_effect(False)
_, r2 = simulate_tiling_effect(True)
print('\nx[1023] =', repr(float(base[1023])))
for ctx in (512,1023,1024,2048,4096):
    ex = sum(Fr(float(v)) for v in base[:ctx]); s = np.float32(0)
    for v in base[:ctx]: s = np.float32(s+v)
    u = float(np.spacing(np.float32(float(ex))))
    print(f'ctx {ctx}: exact {float(ex):.7f}  seq {float(s):.7f}  np1-tree {float(r1[ctx]):.7f} ({(float(r1[ctx])-float(ex))/u:+.2f} ulp)  np2-tree {float(r2[ctx]):.7f} ({(float(r2[ctx])-float(ex))/u:+.2f} ulp)')
for lab, r in (('np1', r1), ('np2', r2)):
    d = float(r[1024]) - float(r[1023])
    print(lab, 'S(1024)-S(1023) =', d, ' minus x[1023] =', d - float(base[1023]), ' in ulps of S(1024):', (d-float(base[1023]))/float(np.spacing(r[1024])))
# reduction tree levels as the notebook's visualize_reduction_tree builds them (labels only)
def levels(n_tiles):
    current = list(range(1, n_tiles+1)); L=[current]
    while len(current) > 1:
        nxt=[]
        for i in range(0, len(current), 2):
            if i+1 < len(current):
                nxt.append(f'{current[i]}-{current[i+1]}' if isinstance(current[i], int) else f'{current[i].split("-")[0]}-{current[i+1].split("-")[-1]}')
            else: nxt.append(current[i])
        current = nxt; L.append(current)
    return L
for n in (8, 9, 16):
    print(n, 'tiles ->', len(levels(n)), 'levels:', levels(n))
print('tiles needed: 1024/128 ->', -(-1024//128), '; 1023/128 ->', -(-1023//128), '(7 full + rest', 1023-7*128, '); 2048/128 ->', 2048//128)
# edge-drawing bug check: visualize_reduction_tree links level-k node i to children 2i,2i+1 -- matches pairing; with 9 tiles the odd node 9 is carried up unpaired
