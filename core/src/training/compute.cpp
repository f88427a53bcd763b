#include "training/compute.h"

#include <torch/cuda.h>

#include <limits>

#include "gz/error.h"
#include "util/parallel_for.h"

namespace gz::detail {

torch::Device chooseDevice(Device wanted) {
    const bool cuda = torch::cuda::is_available();
    if (wanted == Device::Cuda && !cuda)
        throw DataError("--device cuda: this LibTorch build has no CUDA device available");
    return (wanted != Device::Cpu && cuda) ? torch::Device(torch::kCUDA)
                                           : torch::Device(torch::kCPU);
}

int threadCount(int wanted) {
    return static_cast<int>(workerCount(wanted, std::numeric_limits<std::size_t>::max()));
}

}  // namespace gz::detail
