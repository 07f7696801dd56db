/* numlab/numlab.h — the whole plugin SDK in one include. */
#ifndef NUMLAB_NUMLAB_H
#define NUMLAB_NUMLAB_H

#include <numlab/alloc.h>
#include <numlab/backend.h>
#include <numlab/bound.h>
#include <numlab/companion.h>
#include <numlab/error.h>
#include <numlab/exact.h>
#include <numlab/experiment.h>
#include <numlab/params.h>
#include <numlab/precision.h>
#include <numlab/plugin.h>
#include <numlab/probe.h>
#include <numlab/reference.h>
#include <numlab/rng.h>
#include <numlab/run.h>
#include <numlab/sample.h>
#include <numlab/table.h>
#include <numlab/timer.h>
#include <numlab/ulp.h>

#endif /* NUMLAB_NUMLAB_H */
