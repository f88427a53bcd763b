#pragma once
// Private to core: the LibTorch networks.

#include <torch/nn.h>

#include <memory>
#include <string>
#include <vector>

#include "training/decision.h"

namespace gz::detail {

/// The memory layout the networks compute in: channels-last (NHWC) unless GZ_TRAINING_TUNING
/// turns it off (memory_tuning.h). `inModelLayout` converts an input batch (a no-op when it is in
/// that layout already); `toModelLayout` converts a network's convolution weights, after
/// construction and after loading a checkpoint (loading keeps the file's layout).
torch::Tensor inModelLayout(const torch::Tensor& x);
void toModelLayout(torch::nn::Module& net);

/// Every network: features (the last convolutional stage, for Grad-CAM) then a classifier head
/// to five logits, and optionally a votes head: the embedding mapped to the 37 vote fractions of
/// the Galaxy Zoo 2 decision tree (treeFractions).
class GalaxyNetImpl : public torch::nn::Module {
public:
    virtual torch::Tensor features(torch::Tensor x) = 0;
    virtual torch::Tensor classify(torch::Tensor features) = 0;
    /// The classifier head's input for `features`: the globally pooled features (N, D), the
    /// galaxy's embedding. Every network here averages each feature map.
    virtual torch::Tensor pool(torch::Tensor features);
    /// The stage outputs for one input, in order, with their names (for the feature-map test).
    virtual std::vector<std::pair<std::string, torch::Tensor>> stages(torch::Tensor x) = 0;
    /// The logits (fp32) of a batch, the convolutions and matrix products in bfloat16 after
    /// setBf16(true) (Bf16Autocast; the weights stay fp32).
    torch::Tensor forward(torch::Tensor x);
    /// The embeddings (N, D, fp32) of a batch: pool(features(x)), in the network's precision.
    torch::Tensor embed(torch::Tensor x);
    /// What one pass of the features gives (fp32 all): the embeddings (N, D), the logits and
    /// the predicted vote fractions (N, 37; undefined without a votes head).
    struct Outputs {
        torch::Tensor embeddings, logits, fractions;
    };
    Outputs outputs(torch::Tensor x);
    /// The logits and the predicted vote fractions (N, 37; undefined without a votes head) of a
    /// batch, from one pass of the features (fp32 both).
    std::pair<torch::Tensor, torch::Tensor> forwardWithVotes(torch::Tensor x);
    /// Adds the votes head (a linear map of the embedding to 37 logits, module "votes"), with
    /// fresh weights. A network whose checkpoint has the head needs it before loading.
    void addVotesHead();
    bool hasVotesHead() const { return !votes_.is_empty(); }
    void setBf16(bool on) { bf16_ = on; }
    bool bf16() const { return bf16_; }
    /// How predictions from this network decide the five classes (the run's TrainConfig).
    void setDecision(ClassDecision decision) { decision_ = std::move(decision); }
    const ClassDecision& decision() const { return decision_; }

protected:
    std::int64_t embeddingSize_ = 0;  ///< the width of pool(features): set by each network

private:
    bool bf16_ = false;
    ClassDecision decision_;
    torch::nn::Linear votes_{nullptr};
};
using GalaxyNet = std::shared_ptr<GalaxyNetImpl>;

/// Builds a network by name with freshly initialised weights (from torch's global generator),
/// its weights in the model layout, with a votes head when `votesHead`. Throws DataError for an
/// unknown name.
GalaxyNet makeModel(const std::string& name, bool votesHead = false);

/// The 37 vote fractions (N, 37) of 37 logits (N, 37): a softmax over each question's answers,
/// scaled by the predicted fraction of the answer leading to the question (kVoteQuestions), so
/// that the fractions are cumulative as in the Kaggle file.
torch::Tensor treeFractions(const torch::Tensor& logits);

std::int64_t trainableParameters(const torch::nn::Module& module);

}  // namespace gz::detail
