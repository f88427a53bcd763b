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
        QCOMPARE(availableModels().size(), std::size_t(3));
    }
};

QTEST_APPLESS_MAIN(TestModels)
#include "test_models.moc"
