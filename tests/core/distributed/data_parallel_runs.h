#pragma once
// Data-parallel steps with the ranks as threads of the test process (LibTorch inside; this
// header is plain C++ so that Qt Test files can include it).

#include <optional>
#include <string>
#include <vector>

#include "gz/train_options.h"
#include "gz/world.h"

namespace gz::test {

/// After each step of a data-parallel run against one process on the joint batch.
struct StepComparison {
    std::vector<bool> ranksIdentical;    ///< every rank's parameters are the same bits
    std::vector<double> fromOneProcess;  ///< largest parameter difference to one process
    std::vector<double> lossDifference;  ///< agreed loss minus one process's
    std::vector<bool> lossAgreed;        ///< every rank got the same agreed loss
    /// One process's first loss minus LibTorch's cross_entropy (mean) on the labeled images.
    double firstLossFromLibTorch = 0;
};

/// 2 ranks x 16 images against 1 process x 32 for 4 steps of a small network without
/// BatchNorm (SGD with Nesterov momentum, label smoothing, optionally class weights, optionally
/// a third of the images unlabeled); rank 1 starts from other weights, which the broadcast
/// replaces.
StepComparison twoRanksAgainstOneProcess(bool classWeights, bool unlabeled, int port);

struct BatchNormRun {
    std::vector<bool> ranksIdentical;  ///< parameters after each step
    /// The agreed loss of each step minus one process's on the joint batch (BatchNorm sees 8
    /// images a rank instead of 16, so they differ a little).
    std::vector<double> lossDifference;
    bool buffersIdentical = false;  ///< running statistics after broadcastBuffers
    double reduceSeconds = 0;       ///< rank 0's time in the gradient allreduce
};

/// 6 steps of the `compact` network (BatchNorm) on 2 ranks x 8 random 32x32 images, against
/// one process on the 16; with `votesLoss`, the network has the votes head and the loss adds
/// that loss of random (tree-consistent) vote fractions.
BatchNormRun compactOnTwoRanks(int port, std::optional<VotesLoss> votesLoss = std::nullopt);

/// The DataError text of meeting with `worlds` (one thread each); "" where a rank met fine.
std::vector<std::string> meetingErrors(const std::vector<World>& worlds);

}  // namespace gz::test
