// `galaxy-cli workflow slurm|pegasus` as a user runs it, end to end without Slurm: the scripts it
// writes for a demo data set (syntax, absolute paths, the dependency chain, the forwarded training
// options), each run in order here with stand-ins for srun and scontrol, and the refusals.

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <set>

#include "fixtures.h"
#include "gz/augmentation.h"
#include "gz/catalog.h"
#include "gz/labeling.h"
#include "gz/preprocess.h"
#include "workflow_fixtures.h"

namespace fs = std::filesystem;
using namespace gz;
using test::q;
using test::runCli;

namespace {

std::string readText(const fs::path& file) {
    std::ifstream in(file);
    return {std::istreambuf_iterator<char>(in), {}};
}

QJsonObject readJson(const fs::path& file) {
    return QJsonDocument::fromJson(QByteArray::fromStdString(readText(file))).object();
}

std::set<std::string> filesBelow(const fs::path& folder) {
    std::set<std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(folder))
        files.insert(fs::relative(e.path(), folder).string());
    return files;
}

// A one-line error naming `fragment`, and a non-zero exit.
void expectError(const test::CliResult& r, const QString& fragment) {
    QVERIFY2(r.exitCode != 0, qPrintable(r.out));
    QCOMPARE(r.err.trimmed().count('\n'), 0);
    QVERIFY2(r.err.contains(fragment), qPrintable(r.err));
}

}  // namespace

class TestWorkflowCli : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }
    fs::path data_, images_, predict_, params_, rules_, bin_;

    // The options every generation here uses; `engine` slurm or pegasus.
    QStringList generate(const QString& engine, const fs::path& out) const {
        return {"workflow", engine,      "--data",
                q(data_),   "--out",     q(out),
                "--nodes",  "1",         "--cpus-per-task",
                "1",        "--shards",  "3",
                "--npy",    "--predict", q(predict_),
                "--model",  "compact",   "--epochs",
                "1",        "--batch",   "16",
                "--no-tta", "--params",  q(params_),
                "--rules",  q(rules_),   "--seed",
                "7"};
    }

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        data_ = dir() / "data";
        auto r = runCli({"demo", "--out", q(data_), "--count", "80", "--seed", "3"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        images_ = data_ / std::string(kKaggleImageDirName);
        predict_ = dir() / "to predict";
        fs::create_directories(predict_);
        int copied = 0;
        for (const auto& e : fs::directory_iterator(images_))
            if (copied++ < 5) fs::copy_file(e.path(), predict_ / e.path().filename());
        // Files whose paths bash must keep whole; the parameters change the cache's geometry, so
        // the training finds the cache the preprocess jobs made only if it gets them too.
        AugmentationParams params;
        params.cropMin = 180;
        params_ = dir() / "my settings" / "aug's params.json";
        fs::create_directories(params_.parent_path());
        params.save(params_);
        rules_ = dir() / "my settings" / "rules $1.json";
        LabelRules::defaults().save(rules_);
        bin_ = dir() / "bin";
        test::writeSlurmStandIns(bin_);
    }

    void slurmScriptsAreWrittenWithTheChainAndTheOptions() {
        const fs::path wf = dir() / "wf";
        const auto r = runCli(generate("slurm", wf));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("bash " + q(wf / "submit.sh")), qPrintable(r.out));
        const std::set<std::string> expected = {
            "01-label.sbatch",      "02-split.sbatch", "03-decode.sbatch",
            "04-preprocess.sbatch", "05-train.sbatch", "06-evaluate.sbatch",
            "07-predict.sbatch",    "submit.sh",       "logs"};
        QVERIFY(filesBelow(wf) == expected);

        const std::string cli = fs::canonical(test::cliPath().toStdString()).string();
        for (const auto& name : expected) {
            if (name == "logs") continue;
            QCOMPARE(
                test::runBash(wf / name, QProcessEnvironment::systemEnvironment(), 10000, {"-n"})
                    .exitCode,
                0);
            const std::string text = readText(wf / name);
            if (name != "submit.sh")
                QVERIFY2(text.find(cli + " ") != std::string::npos, name.c_str());
        }
        // The chain, each dependent job cancelled when what it needs fails.
        const std::string submit = readText(wf / "submit.sh");
        for (const char* link :
             {"submit label ",
              "submit split --dependency=afterok:$id_label --kill-on-invalid-dep=yes",
              "submit decode --dependency=afterok:$id_split --kill-on-invalid-dep=yes",
              "submit preprocess --dependency=afterok:$id_decode --kill-on-invalid-dep=yes",
              "submit train --dependency=afterok:$id_preprocess --kill-on-invalid-dep=yes",
              "submit evaluate --dependency=afterok:$id_train --kill-on-invalid-dep=yes",
              "submit predict --dependency=afterok:$id_train --kill-on-invalid-dep=yes"})
            QVERIFY2(submit.find(link) != std::string::npos, link);

        // Exactly the training options given, in bash quotes where the path needs them.
        const std::string train = readText(wf / "05-train.sbatch");
        for (const char* option :
             {"--model compact", "--epochs 1", "--batch 16", "--no-tta", "--seed 7", "--threads 1"})
            QVERIFY2(train.find(option) != std::string::npos, option);
        // Paths in single quotes, a ' inside as '\''.
        const std::string p = params_.string();
        const auto quote = p.find('\'');
        QVERIFY(train.find("--params '" + p.substr(0, quote) + "'\\''" + p.substr(quote + 1) +
                           "'") != std::string::npos);
        QVERIFY(train.find("--rules '" + rules_.string() + "'") != std::string::npos);
        for (const char* absent : {"--lr", "--schedule", "--balance", "--device", "--minutes"})
            QVERIFY2(train.find(absent) == std::string::npos, absent);
        QVERIFY(train.find("export MASTER_ADDR") != std::string::npos);
        QVERIFY(train.find("scontrol show hostnames \"$SLURM_JOB_NODELIST\"") != std::string::npos);
        QVERIFY(readText(wf / "04-preprocess.sbatch").find("--npy") != std::string::npos);
    }

    void theScriptsRunInOrderWithoutSlurm() {
        const fs::path wf = dir() / "wf-run";
        QCOMPARE(runCli(generate("slurm", wf)).exitCode, 0);
        const std::set<std::string> dataBefore = filesBelow(data_);
        QProcessEnvironment env = test::environmentWithPath(bin_);
        env.insert("SLURM_JOB_NODELIST", "node-[a-b]");
        env.insert("SLURM_JOB_ID", "4242");
        auto run = [&](const char* script, const QString& task = {}) {
            QProcessEnvironment e = env;
            if (!task.isEmpty()) e.insert("SLURM_ARRAY_TASK_ID", task);
            const auto r = test::runBash(wf / script, e, 240000);
            QVERIFY2(r.exitCode == 0, qPrintable(QString(script) + ": " + r.err));
        };
        run("01-label.sbatch");
        QVERIFY(fs::exists(wf / "labels.csv"));
        run("02-split.sbatch");
        QVERIFY(fs::exists(wf / "split.csv"));
        for (const char* task : {"0", "1", "2"}) run("03-decode.sbatch", task);
        run("04-preprocess.sbatch");
        const QJsonObject pre = readJson(wf / "preprocess" / "preprocess.json");
        QCOMPARE(pre["cache"].toObject()["origin"].toString(), QString("assembled"));
        QCOMPARE(pre["params"].toObject()["crop_min"].toInt(), 180);
        for (auto name : {npyfiles::kTrainImages1, npyfiles::kTrainImages2, npyfiles::kTestLabels})
            QVERIFY(fs::exists(wf / "preprocess" / std::string(name)));
        run("05-train.sbatch");
        // The training found the cache the preprocess jobs made: same ids, same parameters.
        const std::string log = readText(wf / "run" / "log.txt");
        QVERIFY2(log.find("reused image cache") != std::string::npos, log.c_str());
        const QJsonObject config = readJson(wf / "run" / "config.json")["config"].toObject();
        QCOMPARE(config["epochs"].toInt(), 1);
        QCOMPARE(config["batch"].toInt(), 16);
        QCOMPARE(config["tta"].toBool(), false);
        run("06-evaluate.sbatch");
        QVERIFY(fs::exists(wf / "evaluation" / "confusion.json"));
        run("07-predict.sbatch");
        std::ifstream predictions(wf / "predictions.csv");
        std::size_t rows = 0;
        for (std::string line; std::getline(predictions, line);) ++rows;
        QCOMPARE(rows, std::size_t(1 + 5));
        // Nothing was written into the data set.
        QVERIFY(filesBelow(data_) == dataBefore);
    }

    void badCommandLinesAreRefused() {
        const fs::path used = dir() / "used";
        test::writeText(used / "keep.txt", "mine");
        expectError(runCli(generate("slurm", used)), "exists and is not empty");
        QCOMPARE(readText(used / "keep.txt"), std::string("mine"));
        QVERIFY(filesBelow(used) == std::set<std::string>{"keep.txt"});
        expectError(runCli(generate("slurm", data_ / "wf")), "inside the data set");
        expectError(runCli({"workflow", "slurm", "--out", q(dir() / "wf-x")}), "--data");
        expectError(runCli({"workflow", "slurm", "--data", q(dir() / "nowhere"), "--out",
                            q(dir() / "wf-x")}),
                    "nowhere");
        expectError(runCli(generate("slurm", dir() / "wf-x") + QStringList{"--threads", "2"}),
                    "--cpus-per-task");
        expectError(runCli(generate("slurm", dir() / "wf-x") + QStringList{"--schedule", "zigzag"}),
                    "schedule must be");
        expectError(runCli(generate("pegasus", dir() / "wf-x") + QStringList{"--shards", "0"}),
                    "--shards");
        expectError(runCli({"workflow"}), "workflow needs an engine");
        QVERIFY(!fs::exists(dir() / "wf-x"));
    }

    void pegasusWorkflowIsValidYamlWithTheJobs() {
        const fs::path wf = dir() / "wf-pegasus";
        const auto r = runCli(generate("pegasus", wf));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(filesBelow(wf) == std::set<std::string>{"workflow.yml"});
        QString error;
        const QVariantMap doc = test::readYaml(wf / "workflow.yml", &error).toMap();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QStringList ids;
        QStringList trainArguments;
        for (const QVariant& job : doc["jobs"].toList()) {
            ids << job.toMap()["id"].toString();
            if (ids.back() == "train") trainArguments = job.toMap()["arguments"].toStringList();
        }
        QCOMPARE(ids, (QStringList{"label", "split", "decode-0", "decode-1", "decode-2",
                                   "preprocess", "train", "evaluate", "predict"}));
        for (const char* option : {"--model", "--epochs", "--batch", "--no-tta", "--seed"})
            QVERIFY2(trainArguments.contains(option), option);
        QVERIFY(trainArguments.contains(q(params_)));
        QVERIFY(!trainArguments.contains("--lr"));
    }
};

QTEST_GUILESS_MAIN(TestWorkflowCli)
#include "test_workflow_cli.moc"
