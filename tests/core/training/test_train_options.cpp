// The training options' name tables (gz/train_options.h) and their keys in config.json: every
// value has one key, keys parse back, unknown keys are refused naming the option, and a run's
// configuration keeps today's strings.

#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>
#include <set>
#include <string>

#include "gz/error.h"
#include "gz/train_options.h"
#include "gz/training.h"

using namespace gz;

namespace {

template <class E>
void checkTable(const std::vector<std::string>& expectedKeys) {
    QCOMPARE(optionKeys<E>(), expectedKeys);
    std::set<std::string_view> keys;
    std::set<E> values;
    for (const auto& n : OptionTable<E>::names) {
        QVERIFY(!n.key.empty());
        QVERIFY2(keys.insert(n.key).second, n.key.data());
        QVERIFY(values.insert(n.value).second);
        QCOMPARE(optionKey(n.value), n.key);
        QVERIFY(parseOption<E>(n.key) == n.value);
        QVERIFY(requireOption<E>(n.key) == n.value);
    }
    QVERIFY(!parseOption<E>("").has_value());
    QVERIFY(!parseOption<E>("unknown").has_value());
    QVERIFY(!parseOption<E>(std::string(OptionTable<E>::names[0].key) + " ").has_value());
    QVERIFY_THROWS_EXCEPTION(DataError, requireOption<E>("unknown"));
}

QJsonObject configObject(const TrainConfig& c) {
    return QJsonDocument::fromJson(QByteArray::fromStdString(c.toJson()))["config"].toObject();
}

std::string withKey(const TrainConfig& c, const QString& field, const QJsonValue& key) {
    QJsonObject all = QJsonDocument::fromJson(QByteArray::fromStdString(c.toJson())).object();
    QJsonObject config = all["config"].toObject();
    config[field] = key;
    all["config"] = config;
    return QJsonDocument(all).toJson().toStdString();
}

}  // namespace

class TestTrainOptions : public QObject {
    Q_OBJECT

    static TrainConfig valid() {
        TrainConfig c;
        c.epochs = 3;
        return c;
    }

private slots:
    void everyTableNamesEachValueOnce() {
        checkTable<Schedule>({"cosine", "step", "constant"});
        checkTable<Balance>({"none", "sample", "weight", "sqrt"});
        checkTable<SelectMetric>({"last", "loss", "accuracy", "macro_f1"});
        checkTable<CheckpointChoice>({"best", "last"});
        checkTable<Device>({"auto", "cpu", "cuda"});
        checkTable<Precision>({"auto", "fp32", "bf16"});
        checkTable<VotesLoss>({"squared_error", "cross_entropy"});
    }

    void unknownKeysAreRefusedNamingTheOption() {
        const auto message = [](auto parse) {
            try {
                parse();
            } catch (const DataError& e) {
                return std::string(e.what());
            }
            return std::string();
        };
        QCOMPARE(message([] { requireOption<Schedule>("linear"); }),
                 std::string("training configuration: schedule must be cosine, step or constant"));
        QCOMPARE(
            message([] { requireOption<Balance>("x"); }),
            std::string("training configuration: balance must be none, sample, weight or sqrt"));
        QCOMPARE(message([] { requireOption<SelectMetric>("x"); }),
                 std::string("training configuration: the selection metric must be last, loss, "
                             "accuracy or macro_f1"));
        QCOMPARE(message([] { requireOption<Device>("gpu"); }),
                 std::string("training configuration: device must be auto, cpu or cuda"));
    }

    void joinOptionKeysSeparates() {
        QCOMPARE(joinOptionKeys(optionKeys<Schedule>(), "|"), std::string("cosine|step|constant"));
        QCOMPARE(joinOptionKeys({"a"}, "|"), std::string("a"));
        QCOMPARE(joinOptionKeys({}, "|"), std::string());
    }

    void configJsonKeepsTheKeys() {
        const QJsonObject j = configObject(valid());
        QCOMPARE(j["schedule"].toString(), QStringLiteral("cosine"));
        QCOMPARE(j["balance"].toString(), QStringLiteral("sqrt"));
        QCOMPARE(j["select_metric"].toString(), QStringLiteral("last"));
        QCOMPARE(j["device"].toString(), QStringLiteral("auto"));
        QCOMPARE(j["precision"].toString(), QStringLiteral("auto"));
        QCOMPARE(j["votes_loss"].toString(), QStringLiteral("cross_entropy"));
    }

    void configJsonRoundTripsEveryValue() {
        for (std::size_t i = 0; i < 4; ++i) {
            TrainConfig c = valid();
            c.schedule = OptionTable<Schedule>::names[i % 3].value;
            c.balance = OptionTable<Balance>::names[i % 4].value;
            c.selectMetric = OptionTable<SelectMetric>::names[i].value;
            c.device = OptionTable<Device>::names[i % 3].value;
            c.precision = OptionTable<Precision>::names[i % 3].value;
            const TrainConfig back = TrainConfig::fromJson(c.toJson());
            QVERIFY(back.schedule == c.schedule);
            QVERIFY(back.balance == c.balance);
            QVERIFY(back.selectMetric == c.selectMetric);
            QVERIFY(back.device == c.device);
            QVERIFY(back.precision == c.precision);
            QCOMPARE(back.toJson(), c.toJson());
        }
    }

    void configJsonReadsEveryKey() {
        for (const auto& n : OptionTable<Balance>::names)
            QVERIFY(
                TrainConfig::fromJson(withKey(valid(), "balance", QString::fromUtf8(n.key.data())))
                    .balance == n.value);
        for (const auto& n : OptionTable<SelectMetric>::names)
            QVERIFY(TrainConfig::fromJson(
                        withKey(valid(), "select_metric", QString::fromUtf8(n.key.data())))
                        .selectMetric == n.value);
    }

    void configJsonRefusesUnknownKeys() {
        const struct {
            const char* field;
            const char* message;
        } cases[] = {
            {"schedule", "schedule must be cosine, step or constant"},
            {"balance", "balance must be none, sample, weight or sqrt"},
            {"select_metric", "the selection metric must be last, loss, accuracy or macro_f1"},
            {"device", "device must be auto, cpu or cuda"},
            {"votes_loss", "the votes loss must be squared_error or cross_entropy"}};
        for (const auto& c : cases) {
            try {
                TrainConfig::fromJson(withKey(valid(), c.field, "frobnicate"), "run/config.json");
                QFAIL(c.field);
            } catch (const DataError& e) {
                const QString what = e.what();
                QVERIFY2(what.contains(c.message) && what.contains("run/config.json"), e.what());
            }
        }
        QVERIFY_THROWS_EXCEPTION(DataError, TrainConfig::fromJson(withKey(valid(), "device", "")));
    }

    // Found by fuzzing: a number outside the field's range was cast (undefined behaviour for a
    // float, a silent wrap for an integer). Whole numbers written as floats still read.
    void configJsonRefusesNumbersOutOfRange() {
        QCOMPARE(TrainConfig::fromJson(withKey(valid(), "epochs", 7.0)).epochs, 7);
        const struct {
            const char* field;
            double value;
        } cases[] = {{"seed", 4.2e41}, {"seed", -1}, {"epochs", 1e12}, {"batch", 2.5}};
        for (const auto& c : cases) {
            try {
                TrainConfig::fromJson(withKey(valid(), c.field, c.value), "run/config.json");
                QFAIL(c.field);
            } catch (const DataError& e) {
                const QString what = e.what();
                QVERIFY2(what.contains(QString("\"%1\" must be a whole number").arg(c.field)) &&
                             what.contains("run/config.json"),
                         e.what());
            }
        }
    }

    // Early stopping watches the selection metric; the last epoch is no metric to watch.
    void earlyStoppingNeedsAValidationMetric() {
        TrainConfig c = valid();
        c.earlyStopPatience = 5;
        c.selectMetric = SelectMetric::Loss;
        c.validate();
        c.selectMetric = SelectMetric::Last;
        try {
            c.validate();
            QFAIL("patience with the last epoch accepted");
        } catch (const DataError& e) {
            QVERIFY2(std::string(e.what()).find("early stopping needs a validation metric") !=
                         std::string::npos,
                     e.what());
        }
        QVERIFY_THROWS_EXCEPTION(DataError, TrainConfig::fromJson(c.toJson()));
        c.earlyStopPatience = 0;
        c.validate();
    }

    void runsFromBeforeTheRotationByAnyAngleLoadWithoutIt() {
        QVERIFY(valid().augmentation.rotateAngle);  // the default
        QVERIFY(TrainConfig::fromJson(valid().toJson()).augmentation.rotateAngle);
        // A config.json written before the step: its augmentation has no "rotate_angle".
        QJsonObject all =
            QJsonDocument::fromJson(QByteArray::fromStdString(valid().toJson())).object();
        QJsonObject config = all["config"].toObject();
        QJsonObject augmentation = config["augmentation"].toObject();
        QJsonObject params = augmentation["params"].toObject();
        QVERIFY(params.contains("rotate_angle"));
        params.remove("rotate_angle");
        augmentation["params"] = params;
        config["augmentation"] = augmentation;
        all["config"] = config;
        const TrainConfig old = TrainConfig::fromJson(QJsonDocument(all).toJson().toStdString());
        QVERIFY(!old.augmentation.rotateAngle);
        QCOMPARE(old.augmentation.angleMax, 45.0);
    }
};

QTEST_APPLESS_MAIN(TestTrainOptions)
#include "test_train_options.moc"
