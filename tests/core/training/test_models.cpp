// The networks: the paper's ResNet-26 exactly (parameters and feature maps), the others built.

#include <QtTest>

#include "gz/error.h"
#include "gz/models.h"

using namespace gz;

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
        // py_reference.py --model small: "about 4.4M parameters".
        const ModelSummary s = describeModel("bench-resnet");
        QVERIFY2(s.parameters > 4300000 && s.parameters < 4500000,
                 qPrintable(QString::number(s.parameters)));
        QCOMPARE(s.featureMaps.back().shape, (std::vector<std::int64_t>{1, 5}));
    }

    void compactIsSmallAndGivesFiveLogits() {
        const ModelSummary s = describeModel("compact");
        QVERIFY(s.parameters < 5000000);
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
        const double widthRatio = double(wide.parameters) / double(compact.parameters);
        const double depthRatio = double(deep.parameters) / double(compact.parameters);
        QVERIFY2(widthRatio > 2.1 && widthRatio < 2.4, qPrintable(QString::number(widthRatio)));
        QVERIFY2(depthRatio > 1.8 && depthRatio < 2.3, qPrintable(QString::number(depthRatio)));
    }
};

QTEST_APPLESS_MAIN(TestModels)
#include "test_models.moc"
