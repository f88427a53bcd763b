#include "distributed/data_parallel.h"

#include <algorithm>

#include "gz/catalog.h"
#include "training/inference.h"

namespace gz::detail {

StepResult dataParallelStep(Communicator& comm, GalaxyNetImpl& net,
                            torch::optim::Optimizer& optimizer, const torch::Tensor& x,
                            const torch::Tensor& y, const torch::Tensor& votes,
                            const LossSpec& spec, double denominator, std::size_t batchSize) {
    optimizer.zero_grad();
    const auto [logits, fractions] = net.forwardWithVotes(x);
    const StepLoss loss = stepLoss(
        logits, fractions, y, votes, spec, denominator,
        votes.defined() ? static_cast<double>(batchSize * static_cast<std::size_t>(votes.size(1)))
                        : 1.0);
    loss.total.backward();
    comm.reduceGradients(net.parameters(), 1.0);
    optimizer.step();
    return stepResult(loss, logits, y);
}

StepAgreement agreeOnStep(Communicator& comm, const StepResult& part, double seconds, bool stop) {
    // Doubles: exact for the counts and the same bits on every rank.
    constexpr int kFields = 6;
    torch::Tensor t = torch::zeros({kFields + comm.size()}, torch::kFloat64);
    auto* v = t.data_ptr<double>();
    v[0] = part.loss;
    v[1] = part.classesLoss;
    v[2] = part.votesLoss;
    v[3] = static_cast<double>(part.correct);
    v[4] = static_cast<double>(part.labeled);
    v[5] = comm.world().leader() ? seconds : 0;
    v[kFields + comm.rank()] = stop ? 1 : 0;
    comm.sum(t);
    StepAgreement a{
        {v[0], v[1], v[2], static_cast<std::int64_t>(v[3]), static_cast<std::int64_t>(v[4])},
        v[5],
        {}};
    for (int r = 0; r < comm.size(); ++r)
        if (v[kFields + r] > 0) a.stopping.push_back(r);
    return a;
}

std::vector<int> agreeOnStop(Communicator& comm, bool stop) {
    return agreeOnStep(comm, {}, 0, stop).stopping;
}

double leaderValue(Communicator& comm, double value) {
    torch::Tensor t = torch::tensor({value}, torch::kFloat64);
    comm.broadcast(t);
    return t.item<double>();
}

std::vector<Prediction> predictShared(Communicator& comm, GalaxyNetImpl& net,
                                      const DecodedCache& cache,
                                      const std::vector<std::size_t>& indices,
                                      const std::vector<int>& labels,
                                      const AugmentationParams& params, bool tta, int batchSize,
                                      int workers, const torch::Device& device) {
    const auto [first, last] = shareOf(indices.size(), comm.rank(), comm.size());
    const auto at = [](const auto& v, std::size_t i) { return v.begin() + static_cast<long>(i); };
    const std::vector<std::size_t> mine(at(indices, first), at(indices, last));
    const std::vector<int> myLabels(at(labels, first), at(labels, last));
    const auto own =
        predictIndices(net, cache, mine, myLabels, params, tta, batchSize, workers, device, {}, {});
    // Every rank fills its rows (the probabilities, then the vote fractions of a votes head);
    // the others stay 0, and x + 0 is x: the sum is every share.
    const std::size_t fractions = net.hasVotesHead() ? kVoteColumnCount : 0;
    const std::size_t width = kMorphologyCount + fractions;
    torch::Tensor rows =
        torch::zeros({static_cast<std::int64_t>(indices.size()), static_cast<std::int64_t>(width)});
    float* r = rows.data_ptr<float>();
    for (std::size_t i = 0; i < own.size(); ++i) {
        float* row = r + (first + i) * width;
        std::copy(own[i].probabilities.begin(), own[i].probabilities.end(), row);
        std::copy(own[i].fractions.begin(), own[i].fractions.end(), row + kMorphologyCount);
    }
    comm.sum(rows);
    r = rows.data_ptr<float>();
    std::vector<Prediction> all(indices.size());
    for (std::size_t i = 0; i < indices.size(); ++i) {
        const float* row = r + i * width;
        all[i].id = cache.id(indices[i]);
        all[i].trueLabel = labels[i];
        std::copy_n(row, kMorphologyCount, all[i].probabilities.begin());
        all[i].fractions.assign(row + kMorphologyCount, row + width);
    }
    return all;
}

}  // namespace gz::detail
