#pragma once
// Private to core: images as LibTorch batches.

#include <torch/types.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <opencv2/core.hpp>
#include <vector>

#include "gz/catalog.h"
#include "gz/decoded_cache.h"
#include "gz/image_pipeline.h"

namespace gz::detail {

struct Batch {
    torch::Tensor images;  ///< N, 3, S, S
    torch::Tensor labels;  ///< N (int64); undefined for prediction batches
    torch::Tensor votes;   ///< N, 37 vote fractions for a votes head; else undefined
};

/// Copies an HWC float image into one CHW slot of a batch.
void copyToChw(const cv::Mat& image, float* dst);

/// A training batch of `n` images at positions first..first+n-1 of an epoch, each augmented as
/// drawn for (seed, epoch, position); `item(position)` gives its cache index and label. With
/// `votes` (kVoteColumnCount floats a cache index), the batch has their vote fractions too.
template <typename Item>
Batch trainingBatch(const DecodedCache& cache, const AugmentationParams& params, std::uint64_t seed,
                    std::uint64_t epoch, std::size_t first, std::size_t n, Item&& item,
                    const std::vector<float>* votes = nullptr) {
    const int s = params.outputSize;
    const std::size_t imageFloats = 3 * static_cast<std::size_t>(s * s);
    Batch batch{torch::empty({static_cast<std::int64_t>(n), 3, s, s}),
                torch::empty({static_cast<std::int64_t>(n)}, torch::kInt64),
                {}};
    if (votes)
        batch.votes = torch::empty(
            {static_cast<std::int64_t>(n), static_cast<std::int64_t>(kVoteColumnCount)});
    float* dst = batch.images.data_ptr<float>();
    auto* labels = batch.labels.data_ptr<std::int64_t>();
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t pos = first + i;
        const auto [index, label] = item(pos);
        copyToChw(trainingTransform(cache.image(index), params,
                                    drawAugmentation(params, seed, epoch, pos)),
                  dst + i * imageFloats);
        labels[i] = label;
        if (votes)
            std::copy_n(votes->data() + index * kVoteColumnCount, kVoteColumnCount,
                        batch.votes.data_ptr<float>() + i * kVoteColumnCount);
    }
    return batch;
}

}  // namespace gz::detail
