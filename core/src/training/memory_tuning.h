#pragma once
// Private to core: the two settings that make LibTorch training on the CPU as fast as PyTorch in
// Python or faster (measured in `galaxy-cli bench train`; README, "Performance").
//
// 1. glibc's malloc serves every block above its mmap threshold (128 KiB, rising to at most
//    32 MiB) with a fresh mmap and unmaps it on free, so every activation tensor of every step
//    is page-faulted in again: 3.9 million page faults in 7 steps of the 4.4M ResNet at batch 64.
//    While training runs, TrainingMemory turns mmap off and keeps freed memory in the heap, so
//    the same pages are reused from step to step; it restores the defaults and trims the heap
//    when the last training job ends.
// 2. Channels-last tensors let oneDNN's convolutions skip their layout reorders (models.h).
// 3. In evaluation, a batch norm after a convolution is folded into the convolution's weights
//    and bias (models.cpp), saving a pass over each of its activations.
//
// GZ_TRAINING_TUNING=all (the default), none, or a comma-separated list of malloc,
// channels-last and fold-bn switches them off for comparison.

namespace gz::detail {

bool mallocTuningEnabled();
bool channelsLastEnabled();
bool foldBatchNormEnabled();

/// While at least one exists, freed memory stays in the process for the next training step.
class TrainingMemory {
public:
    TrainingMemory();
    ~TrainingMemory();
    TrainingMemory(const TrainingMemory&) = delete;
    TrainingMemory& operator=(const TrainingMemory&) = delete;

private:
    bool active_ = false;
};

}  // namespace gz::detail
