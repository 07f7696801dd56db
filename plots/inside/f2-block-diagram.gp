# f2-block-diagram.gp — figure F2, the diagram beside the heat maps: the
# path of a prompt through MiniGPT, with the sizes of this run's model.
#
# Data: model.dat (source params vocab context d_model n_layer n_head seed
# final_loss).
# Image f2-block-diagram: the stages top to bottom as boxes with arrows;
# the block (pre-LayerNorm attention and MLP, each with its residual
# connection) bracketed and repeated n_layer times; numlab's model puts
# the LayerNorm before each sublayer, the notebook's diagram after.
load common

stats datadir.'/model.dat' using (V = $3, T = $4, C = $5, L = $6, H = $7, NP = $2, 0) nooutput

set output fig('f2-block-diagram')
set title sprintf(tr('MiniGPT von innen: %d Blöcke, Breite %d, %d Köpfe, %s Parameter', \
                     'MiniGPT inside: %d blocks, width %d, %d heads, %s parameters'), \
                  L, C, H, thousands(NP)) font font(1.35)
unset border; unset tics; unset grid; set key off
set xrange [0:16]; set yrange [0:10]
set lmargin 0; set rmargin 0; set bmargin 0; set tmargin 3

# name, y centre, colour, what it holds
array NAME[8]; array Y[8]; array COL[8]; array NOTE[8]
NAME[1] = tr('Eingabe: Wörter → Token-IDs', 'input: words → token ids');       Y[1] = 9.2; COL[1] = '#555555'
NAME[2] = tr('Embedding + Position', 'embedding + position');                  Y[2] = 8.0; COL[2] = '#7B3294'
NAME[3] = tr('LayerNorm → Self-Attention', 'LayerNorm → self-attention');       Y[3] = 6.6; COL[3] = '#D55E00'
NAME[4] = tr('+ Residual', '+ residual');                                       Y[4] = 5.6; COL[4] = '#009E73'
NAME[5] = tr('LayerNorm → Feed-Forward (GELU)', 'LayerNorm → feed-forward (GELU)'); Y[5] = 4.6; COL[5] = '#D55E00'
NAME[6] = tr('+ Residual', '+ residual');                                       Y[6] = 3.6; COL[6] = '#009E73'
NAME[7] = tr('LayerNorm → Projektion aufs Vokabular', 'LayerNorm → projection onto the vocabulary'); Y[7] = 2.2; COL[7] = '#0072B2'
NAME[8] = tr('Softmax → nächstes Wort', 'softmax → next word');                 Y[8] = 1.0; COL[8] = '#555555'
NOTE[1] = sprintf(tr('höchstens %d Wörter Kontext', 'at most %d words of context'), T)
NOTE[2] = sprintf(tr('%d Zahlen pro Wort', '%d numbers per word'), C)
NOTE[3] = sprintf(tr('%d Köpfe: welche Wörter zählen? (F2)', '%d heads: which words matter? (F2)'), H)
NOTE[4] = ''
NOTE[5] = sprintf(tr('%d → %d → %d', '%d → %d → %d'), C, 4 * C, C)
NOTE[6] = ''
NOTE[7] = sprintf(tr('%d Logits, eines pro Wort (F1)', '%d logits, one per word (F1)'), V)
NOTE[8] = tr('Wahrscheinlichkeiten (F1, F3)', 'probabilities (F1, F3)')
f_box = font(1.1); f_note = font(1.0); f_brace = font(1.2)
do for [i = 1:8] {
    set object i rect center 6.5, Y[i] size 8.4, 0.75 fc rgb COL[i] fs solid 0.9 noborder front
    set label i NAME[i] at 6.5, Y[i] center font f_box tc rgb '#FFFFFF' front
    set label 20 + i NOTE[i] at 11.2, Y[i] left font f_note tc rgb c_text
    if (i < 8) { set arrow i from 6.5, Y[i] - 0.4 to 6.5, Y[i + 1] + 0.4 head size 0.15,25 lw 1.5 lc rgb '#333333' }
}
set arrow 20 from 1.7, Y[3] + 0.45 to 1.7, Y[6] - 0.45 nohead lw 3 lc rgb '#E69F00'
set arrow 21 from 1.7, Y[3] + 0.45 to 2.0, Y[3] + 0.45 nohead lw 3 lc rgb '#E69F00'
set arrow 22 from 1.7, Y[6] - 0.45 to 2.0, Y[6] - 0.45 nohead lw 3 lc rgb '#E69F00'
set label 40 sprintf(tr("Block\n× %d", "block\n× %d"), L) at 1.4, (Y[3] + Y[6]) / 2 right font f_brace tc rgb '#B07000'
plot NaN
set output
