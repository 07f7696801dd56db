/* fake-libcuda.c — a stand-in for the NVIDIA driver, libcuda.so.1, for
 * tests/test-cuda-loader.sh on machines without a GPU: cuInit succeeds and
 * cuDeviceGetCount reports NUMLAB_FAKE_CUDA_DEVICES devices (1 unless
 * set). That is all the cuda module's loader asks before it opens the
 * implementation (backends/cuda/cuda.c), so the test can see the
 * implementation found and loaded. The CUDA runtime, which wants far more
 * of a driver, finds none of it and calls the driver too old: the backend
 * stays unavailable, and nothing runs on this fake. */
#include <stdlib.h>

int cuInit(unsigned int flags);
int cuDeviceGetCount(int *count);

int cuInit(unsigned int flags)
{
    (void)flags;
    return 0; /* CUDA_SUCCESS */
}

int cuDeviceGetCount(int *count)
{
    const char *n = getenv("NUMLAB_FAKE_CUDA_DEVICES");
    *count = n ? atoi(n) : 1;
    return 0;
}
