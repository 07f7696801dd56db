/* crash-at-load.c — a module whose constructor crashes as soon as it is
 * loaded, or never returns with NL_TEST_LOAD_HANG set: `numlab list`,
 * `help` and `run` must name it and go on without it
 * (framework/host/scan.c). Its own folder, so that only the test that
 * wants it loads it. */
#include <numlab/numlab.h>

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void crash(void)
{
    if (getenv("NL_TEST_LOAD_HANG"))
        for (;;)
            pause();
    raise(SIGSEGV);
}

static const NlExperimentOps ops = {
    .struct_size = sizeof(NlExperimentOps),
    .title = "never loads (test)",
    .description = "A test module that crashes when loaded.",
};

NL_PLUGIN_DEFINE(.kind = NL_PLUGIN_EXPERIMENT, .name = "crash-at-load",
                 .version = "0", .summary = "crashes when loaded (test)",
                 .experiment = &ops, )
