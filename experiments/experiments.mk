# experiments/experiments.mk — one libtool module per experiment, and
# libnumlab-minigpt (common/minigpt/), the model two of them share.
include experiments/associativity/associativity.mk
include experiments/bench/bench.mk
include experiments/reduction-tree/reduction-tree.mk
include experiments/temperature/temperature.mk
include experiments/gradient-descent/gradient-descent.mk
include experiments/attention/attention.mk
include experiments/common/minigpt/minigpt.mk
include experiments/minigpt/minigpt.mk
include experiments/logprob/logprob.mk
include experiments/inside/inside.mk
include experiments/devices/devices.mk
