#include "data_parallel_runs.h"

#include <cstring>
#include <exception>
#include <functional>
#include <thread>

#include "distributed/communicator.h"
#include "distributed/data_parallel.h"
#include "gz/error.h"
#include "training/models.h"
#include "training/train_step.h"

namespace gz::test {
namespace {

using namespace gz::detail;

class TinyNetImpl : public GalaxyNetImpl {
public:
    TinyNetImpl() {
        hidden_ = register_module("hidden", torch::nn::Linear(3 * 8 * 8, 16));
        out_ = register_module("out", torch::nn::Linear(16, 5));
    }
    torch::Tensor features(torch::Tensor x) override {
        return torch::relu(hidden_->forward(x.flatten(1)));
    }
    torch::Tensor classify(torch::Tensor f) override { return out_->forward(f); }
    torch::Tensor pool(torch::Tensor f) override { return f; }
    std::vector<std::pair<std::string, torch::Tensor>> stages(torch::Tensor) override { return {}; }

private:
    torch::nn::Linear hidden_{nullptr}, out_{nullptr};
};

torch::optim::SGD sgd(GalaxyNetImpl& net, double lr = 0.1) {
    return torch::optim::SGD(
        net.parameters(),
        torch::optim::SGDOptions(lr).momentum(0.9).nesterov(true).weight_decay(1e-4));
}

World worldOf(int rank, int size, int port) {
    World w;
    w.size = size;
    w.rank = rank;
    w.masterPort = port;
    w.timeoutSeconds = 30;
    return w;
}

// Runs body(rank) on one thread a rank; rethrows the first failure.
void onRanks(int size, const std::function<void(int)>& body) {
    std::vector<std::exception_ptr> errors(static_cast<std::size_t>(size));
    std::vector<std::thread> threads;
    for (int r = 0; r < size; ++r)
        threads.emplace_back([&, r] {
            try {
                body(r);
            } catch (...) {
                errors[static_cast<std::size_t>(r)] = std::current_exception();
            }
        });
    for (auto& t : threads) t.join();
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}

std::vector<torch::Tensor> snapshot(const std::vector<torch::Tensor>& tensors) {
    std::vector<torch::Tensor> s;
    for (const auto& t : tensors) s.push_back(t.detach().clone().contiguous());
    return s;
}

bool bitIdentical(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].sizes() != b[i].sizes() ||
            std::memcmp(a[i].data_ptr(), b[i].data_ptr(), a[i].nbytes()) != 0)
            return false;
    return true;
}

double maxDifference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        m = std::max(
            m, (a[i].to(torch::kFloat64) - b[i].to(torch::kFloat64)).abs().max().item<double>());
    return m;
}

}  // namespace

StepComparison twoRanksAgainstOneProcess(bool classWeights, bool unlabeled, int port) {
    constexpr int kSteps = 4, kBatch = 32, kRanks = 2, kShare = kBatch / kRanks;
    torch::set_num_threads(1);
    torch::manual_seed(7);
    const torch::Tensor x = torch::randn({kSteps, kBatch, 3, 8, 8});
    torch::Tensor y = torch::randint(0, 5, {kSteps, kBatch}, torch::kInt64);
    if (unlabeled)
        y.index_put_({torch::indexing::Slice(), torch::indexing::Slice(0, kBatch, 3)}, kUnlabeled);
    const torch::Tensor weights = torch::tensor({1.0F, 2.0F, 0.5F, 3.0F, 1.0F});
    auto options = torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(0.1);
    if (classWeights) options.weight(weights);
    double firstLoss = 0;

    torch::manual_seed(1);
    auto single = std::make_shared<TinyNetImpl>();
    torch::manual_seed(1);
    std::vector<std::shared_ptr<TinyNetImpl>> nets{std::make_shared<TinyNetImpl>()};
    torch::manual_seed(99);
    nets.push_back(std::make_shared<TinyNetImpl>());

    // The first step's loss by LibTorch's own mean over the labeled images alone.
    {
        torch::NoGradGuard noGrad;
        const torch::Tensor keep = y[0].ne(kUnlabeled);
        firstLoss = torch::nn::functional::cross_entropy(single->forward(x[0]).index({keep}),
                                                         y[0].index({keep}), options)
                        .item<double>();
    }
    auto singleOptimizer = sgd(*single);
    std::vector<std::vector<torch::Tensor>> singleAfter;
    std::vector<double> singleLoss;
    for (int s = 0; s < kSteps; ++s) {
        singleLoss.push_back(
            trainStep(*single, singleOptimizer, x[s], y[s], {}, LossSpec{options}).loss);
        singleAfter.push_back(snapshot(single->parameters()));
    }

    std::vector<std::vector<std::vector<torch::Tensor>>> after(kRanks);
    std::vector<std::vector<double>> loss(kRanks);
    onRanks(kRanks, [&](int r) {
        Communicator comm(worldOf(r, kRanks, port));
        auto& net = *nets[static_cast<std::size_t>(r)];
        comm.broadcastModule(net);
        auto optimizer = sgd(net);
        for (int s = 0; s < kSteps; ++s) {
            const torch::Tensor ys = y[s];
            // The labeled images' count or class weight (unlabeled ones weigh nothing).
            const torch::Tensor labeled = ys.masked_select(ys.ne(kUnlabeled));
            const double denominator = classWeights
                                           ? weights.index_select(0, labeled).sum().item<double>()
                                           : static_cast<double>(labeled.numel());
            const StepResult part = dataParallelStep(
                comm, net, optimizer, x[s].narrow(0, r * kShare, kShare),
                ys.narrow(0, r * kShare, kShare), {}, LossSpec{options}, denominator, kBatch);
            loss[static_cast<std::size_t>(r)].push_back(
                agreeOnStep(comm, part, 0, false).step.loss);
            after[static_cast<std::size_t>(r)].push_back(snapshot(net.parameters()));
        }
    });
    StepComparison c;
    c.firstLossFromLibTorch = singleLoss[0] - firstLoss;
    for (std::size_t s = 0; s < kSteps; ++s) {
        c.ranksIdentical.push_back(bitIdentical(after[0][s], after[1][s]));
        c.fromOneProcess.push_back(maxDifference(after[0][s], singleAfter[s]));
        c.lossDifference.push_back(loss[0][s] - singleLoss[s]);
        c.lossAgreed.push_back(loss[0][s] == loss[1][s]);
    }
    return c;
}

BatchNormRun compactOnTwoRanks(int port, std::optional<VotesLoss> votesLoss) {
    const bool votesHead = votesLoss.has_value();
    constexpr int kSteps = 6, kRanks = 2, kShare = 8;
    constexpr double kLr = 0.02;
    torch::set_num_threads(1);
    torch::manual_seed(3);
    const torch::Tensor x = torch::randn({kSteps, kRanks * kShare, 3, 32, 32});
    const torch::Tensor y = torch::randint(0, 5, {kSteps, kRanks * kShare}, torch::kInt64);
    torch::Tensor votes;  // undefined: no votes head
    if (votesHead)
        votes = treeFractions(torch::randn({kSteps, kRanks * kShare, 37}).flatten(0, 1))
                    .view({kSteps, kRanks * kShare, 37});
    const LossSpec spec{{}, votesHead ? 4.0 : 0.0, votesLoss.value_or(VotesLoss::SquaredError)};
    const auto votesOf = [&](int s, int from, int n) {
        return votes.defined() ? votes[s].narrow(0, from, n) : torch::Tensor();
    };
    std::vector<GalaxyNet> nets;
    for (int r = 0; r < kRanks; ++r) {
        torch::manual_seed(static_cast<std::uint64_t>(10 + r));
        nets.push_back(makeModel("compact", votesHead));
    }
    torch::manual_seed(10);  // rank 0's weights, which the ranks start from
    GalaxyNet single = makeModel("compact", votesHead);
    single->train();
    auto singleOptimizer = sgd(*single, kLr);
    std::vector<double> singleLoss;
    for (int s = 0; s < kSteps; ++s)
        singleLoss.push_back(
            trainStep(*single, singleOptimizer, x[s], y[s], votesOf(s, 0, kRanks * kShare), spec)
                .loss);
    std::vector<double> agreedLoss;
    std::vector<std::vector<std::vector<torch::Tensor>>> params(kRanks);
    std::vector<std::vector<torch::Tensor>> buffers(kRanks);
    BatchNormRun run;
    onRanks(kRanks, [&](int r) {
        Communicator comm(worldOf(r, kRanks, port));
        auto& net = *nets[static_cast<std::size_t>(r)];
        comm.broadcastModule(net);
        net.train();
        auto optimizer = sgd(net, kLr);
        for (int s = 0; s < kSteps; ++s) {
            const StepResult part =
                dataParallelStep(comm, net, optimizer, x[s].narrow(0, r * kShare, kShare),
                                 y[s].narrow(0, r * kShare, kShare), votesOf(s, r * kShare, kShare),
                                 spec, kRanks * kShare, kRanks * kShare);
            const double loss = agreeOnStep(comm, part, 0, false).step.loss;
            if (r == 0) agreedLoss.push_back(loss);
            params[static_cast<std::size_t>(r)].push_back(snapshot(net.parameters()));
        }
        comm.broadcastBuffers(net);
        buffers[static_cast<std::size_t>(r)] = snapshot(net.buffers());
        if (r == 0) run.reduceSeconds = comm.reduceSeconds();
    });
    for (std::size_t s = 0; s < kSteps; ++s) {
        run.ranksIdentical.push_back(bitIdentical(params[0][s], params[1][s]));
        run.lossDifference.push_back(agreedLoss[s] - singleLoss[s]);
    }
    run.buffersIdentical = bitIdentical(buffers[0], buffers[1]);
    return run;
}

std::vector<std::string> meetingErrors(const std::vector<World>& worlds) {
    std::vector<std::string> errors(worlds.size());
    onRanks(static_cast<int>(worlds.size()), [&](int r) {
        try {
            Communicator comm(worlds[static_cast<std::size_t>(r)]);
        } catch (const DataError& e) {
            errors[static_cast<std::size_t>(r)] = e.what();
        }
    });
    return errors;
}

}  // namespace gz::test
