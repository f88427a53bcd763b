#include "training/inference.h"

#include <torch/nn.h>

#include <algorithm>

#include "gz/error.h"
#include "training/batches.h"
#include "util/batch_loader.h"

namespace gz::detail {

torch::Tensor dihedral(const torch::Tensor& x) {
    std::vector<torch::Tensor> views;
    for (int k = 0; k < 4; ++k) {
        const torch::Tensor r = torch::rot90(x, k, {2, 3});
        views.push_back(r);
        views.push_back(torch::flip(r, {3}));
    }
    return torch::cat(views, 0);
}

void BatchOutputs::copyRow(std::int64_t i, Prediction& p) const {
    std::copy_n(probabilities.data_ptr<float>() + i * kMorphologyCount, kMorphologyCount,
                p.probabilities.begin());
    if (!fractions.defined()) return;
    const auto columns = fractions.size(1);
    const float* f = fractions.data_ptr<float>() + i * columns;
    p.fractions.assign(f, f + columns);
}

namespace {

// The network's outputs for a batch on the CPU, contiguous: with TTA the mean of the 8 views'
// (their probabilities, fractions and, with `withEmbeddings`, embeddings; else undefined), the
// decision made on the means.
std::pair<BatchOutputs, torch::Tensor> outputsOf(GalaxyNetImpl& net, const torch::Tensor& images,
                                                 bool tta, const torch::Device& device,
                                                 bool withEmbeddings) {
    // Inference mode: no autograd records and no version counters on the results (the
    // outputs never meet autograd), a little less work per operator than no_grad.
    c10::InferenceMode inference;
    const torch::Tensor x = images.to(device);
    const auto n = x.size(0);
    const auto o = net.outputs(tta ? dihedral(x) : x);
    const auto mean = [&](const torch::Tensor& t) {
        if (!t.defined()) return t;
        return (tta ? t.view({8, n, -1}).mean(0) : t).cpu().contiguous();
    };
    const torch::Tensor f = mean(o.fractions);
    return {{net.decision().apply(mean(torch::softmax(o.logits, 1)), f), f},
            withEmbeddings ? mean(o.embeddings) : torch::Tensor()};
}

}  // namespace

BatchOutputs predictBatch(GalaxyNetImpl& net, const torch::Tensor& images, bool tta,
                          const torch::Device& device) {
    return outputsOf(net, images, tta, device, false).first;
}

torch::Tensor probabilities(GalaxyNetImpl& net, const torch::Tensor& images, bool tta,
                            const torch::Device& device) {
    return predictBatch(net, images, tta, device).probabilities;
}

torch::Tensor embeddings(GalaxyNetImpl& net, const torch::Tensor& images, bool tta,
                         const torch::Device& device) {
    c10::InferenceMode inference;
    const torch::Tensor x = images.to(device);
    if (!tta) return net.embed(x).cpu();
    const auto n = x.size(0);
    return net.embed(dihedral(x)).view({8, n, -1}).mean(0).cpu();
}

std::pair<torch::Tensor, torch::Tensor> embeddingsAndProbabilities(GalaxyNetImpl& net,
                                                                   const torch::Tensor& images,
                                                                   bool tta,
                                                                   const torch::Device& device) {
    auto [o, embedded] = outputsOf(net, images, tta, device, true);
    return {embedded, o.probabilities};
}

void forEachEvaluationBatch(const DecodedCache& cache, const std::vector<std::size_t>& indices,
                            const AugmentationParams& params, std::size_t batchSize, int workers,
                            const std::stop_token& stop, const ProgressFn& progress,
                            std::string_view message,
                            const std::function<void(const torch::Tensor&, std::size_t)>& use) {
    const std::size_t bs = std::max<std::size_t>(batchSize, 1);
    const std::size_t batches = (indices.size() + bs - 1) / bs;
    const int s = params.outputSize;
    BatchLoader<Batch> loader(0, batches, workers, 3, [&](std::size_t b) {
        const std::size_t from = b * bs, to = std::min(indices.size(), from + bs);
        Batch batch{torch::empty({static_cast<std::int64_t>(to - from), 3, s, s}), {}, {}};
        float* dst = batch.images.data_ptr<float>();
        for (std::size_t i = from; i < to; ++i)
            copyToChw(evaluationTransform(cache.image(indices[i]), params),
                      dst + (i - from) * 3 * static_cast<std::size_t>(s * s));
        return batch;
    });
    for (std::size_t b = 0; b < batches; ++b) {
        auto batch = loader.next(stop);
        if (!batch) throw Cancelled();
        use(batch->images, b * bs);
        checkpoint(stop, progress, std::min(indices.size(), (b + 1) * bs), indices.size(), message);
    }
}

std::vector<Prediction> predictIndices(GalaxyNetImpl& net, const DecodedCache& cache,
                                       const std::vector<std::size_t>& indices,
                                       const std::vector<int>& labels,
                                       const AugmentationParams& params, bool tta, int batchSize,
                                       int workers, const torch::Device& device,
                                       const std::stop_token& stop, const ProgressFn& progress) {
    net.eval();
    const std::size_t bs = static_cast<std::size_t>(tta ? std::max(batchSize / 8, 1) : batchSize);
    std::vector<Prediction> out;
    out.reserve(indices.size());
    forEachEvaluationBatch(cache, indices, params, bs, workers, stop, progress, "predicting",
                           [&](const torch::Tensor& images, std::size_t first) {
                               const BatchOutputs o = predictBatch(net, images, tta, device);
                               for (std::int64_t i = 0; i < o.probabilities.size(0); ++i) {
                                   const std::size_t k = first + static_cast<std::size_t>(i);
                                   Prediction pred;
                                   pred.id = cache.id(indices[k]);
                                   pred.trueLabel = labels[k];
                                   o.copyRow(i, pred);
                                   out.push_back(std::move(pred));
                               }
                           });
    return out;
}

}  // namespace gz::detail
