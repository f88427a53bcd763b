#include "training/models.h"

#include <torch/torch.h>

#include <stdexcept>

#include "gz/error.h"
#include "gz/models.h"
#include "gz/vote_tree.h"
#include "training/compute.h"
#include "training/memory_tuning.h"
#include "training/model_names.h"

namespace gz {
namespace detail {
namespace {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

nn::Conv2d conv(std::int64_t in, std::int64_t out, std::int64_t k, std::int64_t stride, bool bias) {
    return nn::Conv2d(nn::Conv2dOptions(in, out, k).stride(stride).padding(k / 2).bias(bias));
}

nn::BatchNorm2d batchNorm(std::int64_t channels, double momentum) {
    return nn::BatchNorm2d(nn::BatchNorm2dOptions(channels).momentum(momentum).eps(1e-5));
}

// bn(conv(x)). In evaluation the batch norm is a fixed per-channel affine map, folded into the
// convolution (weights scaled by gamma / sqrt(var + eps), the shift into the bias): one pass over
// the activations instead of two. The folded weights are made on each call (they are small next
// to the activations), so they can never go stale.
torch::Tensor convBatchNorm(nn::Conv2d& conv, nn::BatchNorm2d& bn, const torch::Tensor& x) {
    if (bn->is_training() || !foldBatchNormEnabled()) return bn(conv(x));
    const torch::Tensor scale = bn->weight * torch::rsqrt(bn->running_var + bn->options.eps());
    torch::Tensor bias = bn->bias - bn->running_mean * scale;
    if (conv->bias.defined()) bias = bias + conv->bias * scale;
    const torch::Tensor weight = conv->weight * scale.view({-1, 1, 1, 1});
    return F::conv2d(x, weight,
                     F::Conv2dFuncOptions()
                         .bias(bias)
                         .stride(conv->options.stride())
                         .padding(conv->options.padding())
                         .dilation(conv->options.dilation())
                         .groups(conv->options.groups()));
}

// ---- the paper's ResNet-26: pre-activation bottlenecks, widening factor 2 ----------------------

// BN decay 0.997 in TensorFlow's convention is momentum 0.003 in LibTorch's.
constexpr double kPaperBnMomentum = 0.003;

struct PreActBottleneckImpl : nn::Module {
    PreActBottleneckImpl(std::int64_t in, std::int64_t depth, std::int64_t bottleneck,
                         std::int64_t stride)
        : stride_(stride) {
        preBn = register_module("pre_bn", batchNorm(in, kPaperBnMomentum));
        if (in != depth) shortcut = register_module("shortcut", conv(in, depth, 1, stride, true));
        conv1 = register_module("conv1", conv(in, bottleneck, 1, 1, false));
        bn1 = register_module("bn1", batchNorm(bottleneck, kPaperBnMomentum));
        conv2 = register_module("conv2", conv(bottleneck, bottleneck, 3, stride, false));
        bn2 = register_module("bn2", batchNorm(bottleneck, kPaperBnMomentum));
        conv3 = register_module("conv3", conv(bottleneck, depth, 1, 1, true));
    }

    torch::Tensor forward(const torch::Tensor& x) {
        const torch::Tensor pre = torch::relu(preBn(x));
        torch::Tensor sc;
        if (shortcut)
            sc = shortcut(pre);
        else if (stride_ > 1)
            sc = F::max_pool2d(x, F::MaxPool2dFuncOptions(1).stride(stride_));
        else
            sc = x;
        torch::Tensor r = convBatchNorm(conv1, bn1, pre).relu_();
        r = convBatchNorm(conv2, bn2, r).relu_();
        return conv3(r) + sc;
    }

    std::int64_t stride_;
    nn::BatchNorm2d preBn{nullptr}, bn1{nullptr}, bn2{nullptr};
    nn::Conv2d shortcut{nullptr}, conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
};
TORCH_MODULE(PreActBottleneck);

class ResNet26 : public GalaxyNetImpl {
public:
    ResNet26() {
        stem_ = register_module("stem", nn::Conv2d(nn::Conv2dOptions(3, 64, 6).bias(true)));
        // (output depth, bottleneck depth, stride) of each unit, two units a block.
        const std::int64_t units[8][3] = {{512, 128, 1},   {512, 128, 2},  {1024, 256, 1},
                                          {1024, 256, 2},  {2048, 512, 1}, {2048, 512, 2},
                                          {4096, 1024, 1}, {4096, 1024, 1}};
        std::int64_t in = 64;
        for (int b = 0; b < 4; ++b) {
            nn::Sequential block;
            for (int u = 0; u < 2; ++u) {
                const auto* spec = units[2 * b + u];
                block->push_back(PreActBottleneck(in, spec[0], spec[1], spec[2]));
                in = spec[0];
            }
            blocks_.push_back(register_module("block" + std::to_string(b + 1), block));
        }
        finalBn_ = register_module("final_bn", batchNorm(4096, kPaperBnMomentum));
        embeddingSize_ = 4096;
        logits_ = register_module("logits", conv(4096, 5, 1, 1, true));
    }

    // "Same" padding of the 6x6 stem: 2 before and 3 after, as TensorFlow and PyTorch pad.
    torch::Tensor stem(const torch::Tensor& x) {
        return stem_(F::pad(x, F::PadFuncOptions({2, 3, 2, 3})));
    }
    torch::Tensor features(torch::Tensor x) override {
        x = F::max_pool2d(stem(x), F::MaxPool2dFuncOptions(2).stride(2));
        for (auto& b : blocks_) x = b->forward(x);
        return torch::relu(finalBn_(x));
    }
    torch::Tensor classify(torch::Tensor f) override {
        return logits_(F::adaptive_avg_pool2d(f, F::AdaptiveAvgPool2dFuncOptions(1))).flatten(1);
    }
    std::vector<std::pair<std::string, torch::Tensor>> stages(torch::Tensor x) override {
        std::vector<std::pair<std::string, torch::Tensor>> out;
        x = stem(x);
        out.emplace_back("stem", x);
        x = F::max_pool2d(x, F::MaxPool2dFuncOptions(2).stride(2));
        out.emplace_back("pool", x);
        for (std::size_t b = 0; b < blocks_.size(); ++b) {
            x = blocks_[b]->forward(x);
            out.emplace_back("block" + std::to_string(b + 1), x);
        }
        out.emplace_back("logits", classify(torch::relu(finalBn_(x))));
        return out;
    }

private:
    nn::Conv2d stem_{nullptr}, logits_{nullptr};
    std::vector<nn::Sequential> blocks_;
    nn::BatchNorm2d finalBn_{nullptr};
};

// ---- basic-block ResNets (compact, and the reference benchmark's) ----------------------------

struct BasicBlockImpl : nn::Module {
    BasicBlockImpl(std::int64_t in, std::int64_t out, std::int64_t stride) {
        conv1 = register_module("conv1", conv(in, out, 3, stride, false));
        bn1 = register_module("bn1", batchNorm(out, 0.1));
        conv2 = register_module("conv2", conv(out, out, 3, 1, false));
        bn2 = register_module("bn2", batchNorm(out, 0.1));
        if (stride != 1 || in != out)
            shortcut = register_module("shortcut", conv(in, out, 1, stride, false));
    }
    torch::Tensor forward(const torch::Tensor& x) {
        torch::Tensor y = convBatchNorm(conv1, bn1, x).relu_();
        y = convBatchNorm(conv2, bn2, y);
        return (y + (shortcut ? shortcut(x) : x)).relu_();
    }
    nn::Conv2d conv1{nullptr}, conv2{nullptr}, shortcut{nullptr};
    nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
};
TORCH_MODULE(BasicBlock);

struct BasicResNetSpec {
    std::int64_t stemWidth;
    bool stemBatchNorm;  // the reference benchmark's stem has a bias and no BN
    std::int64_t stemStride;
    std::vector<std::int64_t> widths;
    std::vector<int> blocks;            // per stage
    std::vector<std::int64_t> strides;  // of each stage's first block
};

class BasicResNet : public GalaxyNetImpl {
public:
    explicit BasicResNet(const BasicResNetSpec& s) {
        stem_ = register_module("stem", conv(3, s.stemWidth, 3, s.stemStride, !s.stemBatchNorm));
        if (s.stemBatchNorm) stemBn_ = register_module("stem_bn", batchNorm(s.stemWidth, 0.1));
        std::int64_t in = s.stemWidth;
        for (std::size_t i = 0; i < s.widths.size(); ++i) {
            nn::Sequential stage;
            for (int k = 0; k < s.blocks[i]; ++k) {
                stage->push_back(BasicBlock(in, s.widths[i], k == 0 ? s.strides[i] : 1));
                in = s.widths[i];
            }
            stages_.push_back(register_module("stage" + std::to_string(i + 1), stage));
        }
        fc_ = register_module("fc", nn::Linear(in, 5));
        embeddingSize_ = in;
    }
    torch::Tensor features(torch::Tensor x) override {
        x = stemBn_ ? convBatchNorm(stem_, stemBn_, x).relu_() : stem_(x).relu_();
        for (auto& s : stages_) x = s->forward(x);
        return x;
    }
    torch::Tensor classify(torch::Tensor f) override { return fc_(pool(f)); }
    std::vector<std::pair<std::string, torch::Tensor>> stages(torch::Tensor x) override {
        std::vector<std::pair<std::string, torch::Tensor>> out;
        x = stemBn_ ? torch::relu(stemBn_(stem_(x))) : torch::relu(stem_(x));
        out.emplace_back("stem", x);
        for (std::size_t i = 0; i < stages_.size(); ++i) {
            x = stages_[i]->forward(x);
            out.emplace_back("stage" + std::to_string(i + 1), x);
        }
        out.emplace_back("logits", classify(x));
        return out;
    }

private:
    nn::Conv2d stem_{nullptr};
    nn::BatchNorm2d stemBn_{nullptr};
    std::vector<nn::Sequential> stages_;
    nn::Linear fc_{nullptr};
};

// The py_reference.py "small" network: 4 stages x 3 blocks, widths 32-64-128-256.
const BasicResNetSpec kBenchResNet{32, false, 1, {32, 64, 128, 256}, {3, 3, 3, 3}, {1, 2, 2, 2}};
// A first CPU-sized network: a BN stem, one block a stage, downsampling from the first stage.
const BasicResNetSpec kCompact{32, true, 1, {32, 64, 128, 256}, {1, 1, 1, 1}, {2, 2, 2, 2}};
// Issue 6's alternatives to compact: 1.5x the width, and two blocks a stage.
const BasicResNetSpec kCompactWide{48, true, 1, {48, 96, 192, 384}, {1, 1, 1, 1}, {2, 2, 2, 2}};
const BasicResNetSpec kCompactDeep{32, true, 1, {32, 64, 128, 256}, {2, 2, 2, 2}, {2, 2, 2, 2}};

}  // namespace

torch::Tensor GalaxyNetImpl::forward(torch::Tensor x) {
    const Bf16Autocast autocast(bf16_);
    torch::Tensor logits = classify(features(inModelLayout(x)));
    return bf16_ ? logits.to(torch::kFloat) : logits;
}

torch::Tensor GalaxyNetImpl::pool(torch::Tensor f) {
    return F::adaptive_avg_pool2d(f, F::AdaptiveAvgPool2dFuncOptions(1)).flatten(1);
}

torch::Tensor GalaxyNetImpl::embed(torch::Tensor x) {
    const Bf16Autocast autocast(bf16_);
    torch::Tensor e = pool(features(inModelLayout(x)));
    return bf16_ ? e.to(torch::kFloat) : e;
}

GalaxyNetImpl::Outputs GalaxyNetImpl::outputs(torch::Tensor x) {
    const Bf16Autocast autocast(bf16_);
    const torch::Tensor f = features(inModelLayout(x));
    const torch::Tensor e = pool(f);
    Outputs o{e, classify(f), votes_ ? votes_(e) : torch::Tensor()};
    if (bf16_)
        for (torch::Tensor* t : {&o.embeddings, &o.logits, &o.fractions})
            if (t->defined()) *t = t->to(torch::kFloat);
    if (o.fractions.defined()) o.fractions = treeFractions(o.fractions);
    return o;
}

std::pair<torch::Tensor, torch::Tensor> GalaxyNetImpl::forwardWithVotes(torch::Tensor x) {
    if (!votes_) return {forward(x), torch::Tensor()};
    Outputs o = outputs(std::move(x));
    return {o.logits, o.fractions};
}

void GalaxyNetImpl::addVotesHead() {
    votes_ = register_module(
        "votes", nn::Linear(embeddingSize_, static_cast<std::int64_t>(kVoteColumnCount)));
}

torch::Tensor treeFractions(const torch::Tensor& logits) {
    std::vector<torch::Tensor> answers;  // per question, (N, its answers)
    const auto column = [&](int c) {
        for (std::size_t q = 0; q < answers.size(); ++q) {
            const auto& question = kVoteQuestions[q];
            const auto first = static_cast<int>(question.first);
            if (c >= first && c < first + static_cast<int>(question.count))
                return answers[q].narrow(1, c - first, 1);
        }
        throw std::logic_error("kVoteQuestions: a parent after its child");
    };
    for (const auto& q : kVoteQuestions) {
        torch::Tensor p = torch::softmax(logits.narrow(1, static_cast<std::int64_t>(q.first),
                                                       static_cast<std::int64_t>(q.count)),
                                         1);
        if (q.reachedBy >= 0) p = p * column(q.reachedBy);
        answers.push_back(p);
    }
    return torch::cat(answers, 1);
}

GalaxyNet makeModel(const std::string& name, bool votesHead) {
    GalaxyNet net;
    if (name == "resnet26") net = std::make_shared<ResNet26>();
    if (name == "bench-resnet") net = std::make_shared<BasicResNet>(kBenchResNet);
    if (name == "compact") net = std::make_shared<BasicResNet>(kCompact);
    if (name == "compact-wide") net = std::make_shared<BasicResNet>(kCompactWide);
    if (name == "compact-deep") net = std::make_shared<BasicResNet>(kCompactDeep);
    if (net) {
        if (votesHead) net->addVotesHead();
        toModelLayout(*net);
        return net;
    }
    std::string known;
    for (const auto& m : availableModels()) known += (known.empty() ? "" : ", ") + m;
    throw DataError("unknown model '" + name + "' (known: " + known + ")");
}

torch::Tensor inModelLayout(const torch::Tensor& x) {
    return channelsLastEnabled() && x.dim() == 4 ? x.contiguous(torch::MemoryFormat::ChannelsLast)
                                                 : x;
}

void toModelLayout(torch::nn::Module& net) {
    if (!channelsLastEnabled()) return;
    torch::NoGradGuard noGrad;
    for (auto& p : net.parameters())
        if (p.dim() == 4) p.set_data(p.data().contiguous(torch::MemoryFormat::ChannelsLast));
}

std::int64_t trainableParameters(const torch::nn::Module& module) {
    std::int64_t n = 0;
    for (const auto& p : module.parameters())
        if (p.requires_grad()) n += p.numel();
    return n;
}

}  // namespace detail

ModelSummary describeModel(const std::string& name, int inputSize) {
    torch::NoGradGuard noGrad;
    auto net = detail::makeModel(name);
    net->eval();
    ModelSummary s;
    s.name = name;
    s.description = detail::modelDescription(name);
    s.parameters = detail::trainableParameters(*net);
    for (auto& [stage, t] : net->stages(torch::zeros({1, 3, inputSize, inputSize})))
        s.featureMaps.push_back({stage, t.sizes().vec()});
    return s;
}

}  // namespace gz
