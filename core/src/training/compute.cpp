#include "training/compute.h"

#include <ATen/autocast_mode.h>
#include <torch/cuda.h>

#include <limits>

#include "gz/error.h"
#include "gz/precision.h"
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

bool useBf16(Precision wanted, const torch::Device& device) {
    if (device.is_cpu()) return resolveBf16(wanted);
    if (wanted == Precision::Bf16)
        throw DataError("precision bf16 is for the CPU; use --precision fp32 or auto");
    return false;
}

Bf16Autocast::Bf16Autocast(bool enabled) : enabled_(enabled) {
    if (!enabled_) return;
    previous_ = at::autocast::is_cpu_enabled();
    previousType_ = at::autocast::get_autocast_cpu_dtype();
    at::autocast::set_cpu_enabled(true);
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::increment_nesting();
}

Bf16Autocast::~Bf16Autocast() {
    if (!enabled_) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    at::autocast::set_cpu_enabled(previous_);
    at::autocast::set_autocast_cpu_dtype(previousType_);
}

}  // namespace gz::detail
