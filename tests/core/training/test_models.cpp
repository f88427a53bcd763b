// The networks: the paper's ResNet-26 exactly (parameters and feature maps), the basic-block
// ResNets' parameters counted by hand from their layouts.

#include <QtTest>

#include <cstdint>
#include <vector>

#include "gz/error.h"
#include "gz/models.h"

using namespace gz;

namespace {

// A basic-block ResNet as its layout gives it: a 3x3 stem, stages of two-convolution blocks.
struct BasicLayout {
    std::int64_t stemWidth;
    bool stemBatchNorm;  // else the stem convolution has a bias
    std::vector<std::int64_t> widths;
    std::vector<int> blocks;            // per stage
    std::vector<std::int64_t> strides;  // of each stage's first block
};

// Its trainable parameters counted by hand: convolutions without bias (but the stem's when it
// has no BatchNorm), a weight and a bias per BatchNorm channel, a 1x1 shortcut where a block
// changes the width or the resolution, and a linear layer to the five classes.
std::int64_t basicParameters(const BasicLayout& l) {
    const auto conv = [](std::int64_t in, std::int64_t out, std::int64_t k) {
        return in * out * k * k;
    };
    std::int64_t n = conv(3, l.stemWidth, 3) + (l.stemBatchNorm ? 2 * l.stemWidth : l.stemWidth);
    std::int64_t in = l.stemWidth;
    for (std::size_t s = 0; s < l.widths.size(); ++s)
        for (int b = 0; b < l.blocks[s]; ++b) {
            const std::int64_t out = l.widths[s], stride = b == 0 ? l.strides[s] : 1;
            n += conv(in, out, 3) + 2 * out + conv(out, out, 3) + 2 * out;
            if (stride != 1 || in != out) n += conv(in, out, 1);
            in = out;
        }
    return n + in * 5 + 5;
}

}  // namespace

class TestModels : public QObject {
    Q_OBJECT

private slots:
    void resnet26IsThePapersNetwork() {
        const ModelSummary s = describeModel("resnet26");
        QCOMPARE(s.parameters, std::int64_t(55679429));
        // 64x64 stem, 32x32 after the pool, then 16, 8, 4 and 4 after blocks 1-4.
        const std::vector<std::pair<std::string, std::vector<std::int64_t>>> expected = {
            {"stem", {1, 64, 64, 64}},   {"pool", {1, 64, 32, 32}},   {"block1", {1, 512, 16, 16}},
            {"block2", {1, 1024, 8, 8}}, {"block3", {1, 2048, 4, 4}}, {"block4", {1, 4096, 4, 4}},
            {"logits", {1, 5}}};
        QCOMPARE(s.featureMaps.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            QCOMPARE(s.featureMaps[i].stage, expected[i].first);
            QCOMPARE(s.featureMaps[i].shape, expected[i].second);
        }
    }

    void benchResNetMatchesThePyTorchReference() {
        // py_reference.py --model small: "about 4.4M parameters"; 4,364,037 in the README.
        const ModelSummary s = describeModel("bench-resnet");
        QCOMPARE(s.parameters,
                 basicParameters({32, false, {32, 64, 128, 256}, {3, 3, 3, 3}, {1, 2, 2, 2}}));
        QCOMPARE(s.parameters, std::int64_t(4364037));
        QCOMPARE(s.featureMaps.back().shape, (std::vector<std::int64_t>{1, 5}));
    }

    void compactIsSmallAndGivesFiveLogits() {
        const ModelSummary s = describeModel("compact");
        QCOMPARE(s.parameters,
                 basicParameters({32, true, {32, 64, 128, 256}, {1, 1, 1, 1}, {2, 2, 2, 2}}));
        QCOMPARE(s.parameters, std::int64_t(1227813));  // the README's figure
        QCOMPARE(s.featureMaps.back().shape, (std::vector<std::int64_t>{1, 5}));
        QVERIFY(!s.description.empty());
    }

    void unknownModelIsRefused() {
        try {
            describeModel("alexnet");
            QFAIL("built an unknown model");
        } catch (const DataError& e) {
            QVERIFY(QString(e.what()).contains("unknown model 'alexnet'"));
            QVERIFY(QString(e.what()).contains("resnet26"));
        }
        QCOMPARE(availableModels().size(), std::size_t(5));
    }

    void compactAlternativesKeepItsLayout() {
        // The same stages and 4x4 last feature map at 64 px (what Grad-CAM reads), wider or
        // deeper.
        const ModelSummary compact = describeModel("compact");
        const ModelSummary wide = describeModel("compact-wide");
        const ModelSummary deep = describeModel("compact-deep");
        for (const ModelSummary* s : {&compact, &wide, &deep}) {
            QCOMPARE(s->featureMaps.size(), std::size_t(6));  // stem, 4 stages, logits
            QCOMPARE(s->featureMaps[4].shape[2], std::int64_t(4));
            QCOMPARE(s->featureMaps.back().shape, (std::vector<std::int64_t>{1, 5}));
        }
        QCOMPARE(compact.featureMaps[4].shape[1], std::int64_t(256));
        QCOMPARE(wide.featureMaps[4].shape[1], std::int64_t(384));
        // Parameters grow with the square of the width, and about double with twice the blocks.
        QCOMPARE(wide.parameters,
                 basicParameters({48, true, {48, 96, 192, 384}, {1, 1, 1, 1}, {2, 2, 2, 2}}));
        QCOMPARE(wide.parameters, std::int64_t(2759477));
        QCOMPARE(deep.parameters,
                 basicParameters({32, true, {32, 64, 128, 256}, {2, 2, 2, 2}, {2, 2, 2, 2}}));
        QCOMPARE(deep.parameters, std::int64_t(2796453));
    }
};

QTEST_APPLESS_MAIN(TestModels)
#include "test_models.moc"
