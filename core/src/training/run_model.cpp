// One galaxy at a time: RunModel and its Grad-CAM (gz/explain.h).

#include <torch/autograd.h>
#include <torch/nn.h>

#include <algorithm>
#include <mutex>
#include <opencv2/imgproc.hpp>

#include "gz/error.h"
#include "gz/explain.h"
#include "gz/run_folder.h"
#include "training/batches.h"
#include "training/checkpoint.h"
#include "training/compute.h"
#include "training/inference.h"
#include "training/models.h"

namespace gz {
namespace fs = std::filesystem;

struct RunModel::Impl {
    TrainConfig config;
    int threads = 1;
    torch::Device device{torch::kCPU};
    detail::GalaxyNet net;
    std::mutex mutex;

    // The evaluation transform of one image as a 1 x 3 x S x S batch.
    torch::Tensor input(const SourceImage& image, AugmentationParams* used = nullptr) const {
        const AugmentationParams p = evaluationParamsFor(config.augmentation, image);
        const int s = p.outputSize;
        torch::Tensor x = torch::empty({1, 3, s, s});
        detail::copyToChw(evaluationTransform(image, p), x.data_ptr<float>());
        if (used) *used = p;
        return x;
    }
};

RunModel::RunModel(const fs::path& runDir, int threads) : impl_(std::make_unique<Impl>()) {
    impl_->config = loadRunConfig(runDir);
    impl_->threads = detail::threadCount(threads);
    torch::set_num_threads(impl_->threads);
    impl_->device = detail::chooseDevice(impl_->config.device);
    impl_->net = detail::loadRunModel(RunFolder{runDir}, impl_->config, impl_->device);
}

RunModel::~RunModel() = default;
RunModel::RunModel(RunModel&&) noexcept = default;
RunModel& RunModel::operator=(RunModel&&) noexcept = default;

const TrainConfig& RunModel::config() const {
    return impl_->config;
}

Probabilities RunModel::predict(const SourceImage& image, bool tta) const {
    const std::lock_guard lock(impl_->mutex);
    torch::set_num_threads(impl_->threads);
    const torch::Tensor p =
        detail::probabilities(*impl_->net, impl_->input(image), tta, impl_->device).contiguous();
    Probabilities out{};
    std::copy_n(p.data_ptr<float>(), kMorphologyCount, out.begin());
    return out;
}

std::vector<float> RunModel::embed(const SourceImage& image, bool tta) const {
    const std::lock_guard lock(impl_->mutex);
    torch::set_num_threads(impl_->threads);
    const torch::Tensor e =
        detail::embeddings(*impl_->net, impl_->input(image), tta, impl_->device).contiguous();
    return {e.data_ptr<float>(), e.data_ptr<float>() + e.numel()};
}

SaliencyMap RunModel::gradCam(const SourceImage& image, int targetClass,
                              bool dihedralAverage) const {
    if (targetClass < -1 || targetClass >= kMorphologyCount)
        throw DataError("Grad-CAM: no class " + std::to_string(targetClass));
    const std::lock_guard lock(impl_->mutex);
    torch::set_num_threads(impl_->threads);
    torch::AutoGradMode withGradients(true);
    AugmentationParams params;
    const torch::Tensor x = impl_->input(image, &params).to(impl_->device);
    detail::GalaxyNetImpl& net = *impl_->net;

    // The 8 views in one batch (eval-mode batch norm keeps them independent); each view's map
    // is turned back into the image's orientation before they are averaged. View 0 is the
    // image itself.
    const torch::Tensor views = dihedralAverage ? detail::dihedral(x) : x;
    const torch::Tensor features = net.features(detail::inModelLayout(views));
    const torch::Tensor logits = net.classify(features);

    SaliencyMap out;
    {
        // The prediction is view 0's, decided as the run decides (a votes head's fractions from
        // one more pass of the image alone, without gradients).
        const torch::NoGradGuard noGradients;
        const auto o = net.outputs(x);
        const torch::Tensor p =
            net.decision().apply(torch::softmax(o.logits, 1), o.fractions).cpu().contiguous();
        std::copy_n(p.data_ptr<float>(), kMorphologyCount, out.probabilities.begin());
    }
    Prediction predicted;
    predicted.probabilities = out.probabilities;
    out.targetClass = targetClass >= 0 ? targetClass : predicted.predicted();
    const torch::Tensor gradient =
        torch::autograd::grad({logits.select(1, out.targetClass).sum()}, {features})[0];
    const torch::Tensor weights = gradient.mean({2, 3}, /*keepdim=*/true);
    torch::Tensor maps = torch::relu((weights * features.detach()).sum(1));  // V x h x w
    if (dihedralAverage) {
        std::vector<torch::Tensor> back;
        for (int k = 0; k < 4; ++k) {  // dihedral(): rot90 by k, then the same flipped
            back.push_back(torch::rot90(maps[2 * k], -k, {0, 1}));
            back.push_back(torch::rot90(torch::flip(maps[2 * k + 1], {1}), -k, {0, 1}));
        }
        maps = torch::stack(back);
    }
    torch::Tensor cam = maps.mean(0);
    const float peak = cam.max().item<float>();
    if (peak > 0) cam = cam / peak;
    cam = cam.to(torch::kCPU, torch::kFloat).contiguous();
    const int gh = static_cast<int>(cam.size(0)), gw = static_cast<int>(cam.size(1));
    const cv::Mat grid(gh, gw, CV_32F, cam.data_ptr<float>());
    out.grid = {gw, gh};
    out.view = evaluationView(params, image);
    out.map = cv::Mat::zeros(image.fullHeight, image.fullWidth, CV_32F);
    cv::Mat resized;
    cv::resize(grid, resized, out.view.size(), 0, 0, cv::INTER_LINEAR);
    const cv::Rect inside = out.view & cv::Rect(0, 0, image.fullWidth, image.fullHeight);
    resized(inside - out.view.tl()).copyTo(out.map(inside));
    return out;
}

}  // namespace gz
