# verbatim lines 556-605 of the notebook + stub axes (no matplotlib here)
class Ax:
    def __init__(self): self.nodes=[]; self.edges=[]
    def set_xlim(self,*a): pass
    def set_ylim(self,*a): pass
    def scatter(self,x,y,**k): self.nodes.append((round(x,2),y))
    def text(self,x,y,t,**k): self.nodes[-1]=self.nodes[-1]+(t,)
    def plot(self,xs,ys,**k): self.edges.append((tuple(round(v,2) for v in xs),tuple(ys)))
    def set_title(self,*a,**k): pass
    def axis(self,*a): pass
def visualize_reduction_tree(n_tiles, ax, title):
    """Zeichnet einen Reduktionsbaum fuer n_tiles Eingabe-Bloecke."""
    ax.set_xlim(-1, n_tiles)

    levels = []
    current = list(range(1, n_tiles + 1))
    levels.append(current)
    while len(current) > 1:
        next_level = []
        for i in range(0, len(current), 2):
            if i + 1 < len(current):
                next_level.append(f'{current[i]}-{current[i+1]}' if isinstance(current[i], int)
                                 else f'{current[i].split("-")[0]}-{current[i+1].split("-")[-1]}')
            else:
                next_level.append(current[i])  # Ungerade Anzahl: Rest
        current = next_level
        levels.append(current)

    total_levels = len(levels)
    ax.set_ylim(-0.5, total_levels - 0.5)

    # Nodes und Kanten zeichnen
    node_positions = {}  # (level, idx) -> x
    for level_idx, level in enumerate(levels):
        y = total_levels - 1 - level_idx
        n = len(level)
        spacing = (n_tiles - 1) / max(n - 1, 1) if n > 1 else 0
        start_x = (n_tiles - 1) / 2 - spacing * (n - 1) / 2

        for i, label in enumerate(level):
            x = start_x + i * spacing
            node_positions[(level_idx, i)] = x

            color = '#3498db' if level_idx == 0 else '#e67e22' if level_idx < total_levels - 1 else '#2ecc71'
            ax.scatter(x, y, s=400, color=color, zorder=5, edgecolors='white', linewidth=1)
            ax.text(x, y, str(label), ha='center', va='center',
                   fontsize=7 if level_idx == 0 else 6, color='white', fontweight='bold')

            # Kanten zu Kindern
            if level_idx > 0:
                parent_idx = level_idx - 1
                child_base = i * 2
                for c in [child_base, child_base + 1]:
                    if (parent_idx, c) in node_positions:
                        cx = node_positions[(parent_idx, c)]
                        cy = total_levels - 1 - parent_idx
                        ax.plot([cx, x], [cy, y], color='white', alpha=0.5, lw=1)

    ax.set_title(title, fontweight='bold', fontsize=11)
    ax.axis('off')
for n,t in ((8,'num_ctx=1024'),(9,'num_ctx=1023'),(16,'num_ctx=2048')):
    ax=Ax()
    try:
        visualize_reduction_tree(n, ax, t)
        print(t, n, 'tiles: OK,', len(ax.nodes), 'nodes,', len(ax.edges), 'edges; leaves+internal labels:', [nd[2] for nd in ax.nodes])
    except Exception as e:
        print(t, n, 'tiles: EXCEPTION', type(e).__name__, e, '| nodes drawn before the error:', [nd[2] for nd in ax.nodes])
