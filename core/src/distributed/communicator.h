#pragma once
// Private to core: the ranks of a data-parallel training talking to each other through
// LibTorch's c10d: a TCPStore for the rendezvous (rank 0 hosts it) and ProcessGroupGloo for the
// collectives. Every failure becomes a DataError that names the rank at fault.

#include <torch/nn.h>
#include <torch/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gz/error.h"
#include "gz/world.h"

namespace gz::detail {

class Communicator {
public:
    /// Floats per flat gradient buffer (16 MB): compact's gradients travel in one, bench-resnet's in
    /// two, resnet26's in 14.
    static constexpr std::int64_t kBucketFloats = std::int64_t{1} << 22;

    /// Meets the other ranks and connects them. Throws DataError naming the ranks that did not
    /// arrive within the world's timeout, or rank 0's address when it cannot be reached.
    explicit Communicator(const World& world);
    ~Communicator();
    Communicator(const Communicator&) = delete;
    Communicator& operator=(const Communicator&) = delete;

    const World& world() const { return world_; }
    int rank() const { return world_.rank; }
    int size() const { return world_.size; }

    /// Returns when every rank has reached the point `name`, however long that takes, as long as
    /// every rank is alive (for phases of unequal length, such as decoding the images).
    void waitForAll(const std::string& name);
    /// Every rank gets rank 0's parameters and buffers.
    void broadcastModule(torch::nn::Module& module);
    /// Every rank gets rank 0's buffers (BatchNorm's running statistics).
    void broadcastBuffers(torch::nn::Module& module);
    /// Sums the gradients of `parameters` over the ranks through a few flat buffers and
    /// multiplies them by `scale` (1/size averages them).
    void reduceGradients(const std::vector<torch::Tensor>& parameters, double scale);
    /// Sums a contiguous CPU tensor over the ranks, in place; every rank gets the same bits.
    void sum(torch::Tensor& tensor);
    /// Every rank gets rank 0's contents of a contiguous CPU tensor, in place.
    void broadcast(torch::Tensor& tensor);
    /// Every rank gets rank 0's bytes.
    std::string broadcastBytes(const std::string& bytes);
    /// Tells the other ranks why this one is about to fail; they name it in their errors.
    void reportFailure(const std::string& message) noexcept;
    /// Seconds spent in reduceGradients so far.
    double reduceSeconds() const { return reduceSeconds_; }

private:
    struct Impl;  ///< the store, the process group and the heartbeat thread

    void connectStore();
    /// Waits for every rank; the errors tell the others (checkArrivals does the waiting).
    void awaitArrivals();
    void checkArrivals();
    DataError masterGone() const;
    void connectGroup();
    /// Runs a collective; a failure becomes a DataError naming the rank at fault.
    void runCollective(const std::string& what, const std::function<void()>& body);
    /// Which ranks failed or stopped beating, for an error message.
    std::string diagnose();

    World world_;
    std::chrono::milliseconds timeout_;
    std::unique_ptr<Impl> impl_;
    std::vector<torch::Tensor> buckets_;
    double reduceSeconds_ = 0;
};

}  // namespace gz::detail
