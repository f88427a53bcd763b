// The workflow's DAG and its two renderings: every Slurm script hands galaxy-cli exactly the
// DAG's arguments (paths with spaces, quotes and $ included), submit.sh chains the jobs, the
// Pegasus YAML holds the same jobs, arguments, files and dependencies, and the refusals.

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "fixtures.h"
#include "gz/catalog.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/workflow.h"
#include "workflow_fixtures.h"

namespace fs = std::filesystem;
using namespace gz;
using test::q;

namespace {

std::vector<std::string> nulSeparated(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::vector<std::string> out;
    for (std::string item; std::getline(in, item, '\0');) out.push_back(item);
    return out;
}

QStringList toQt(const std::vector<std::string>& v) {
    QStringList out;
    for (const auto& s : v) out << QString::fromStdString(s);
    return out;
}

std::string scriptText(const fs::path& file) {
    std::ifstream in(file);
    return {std::istreambuf_iterator<char>(in), {}};
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// Whether `option` is followed by `value` in `arguments`.
bool hasOption(const std::vector<std::string>& arguments, const std::string& option,
               const std::string& value) {
    for (std::size_t i = 0; i + 1 < arguments.size(); ++i)
        if (arguments[i] == option && arguments[i + 1] == value) return true;
    return false;
}

// The Pegasus ids of a job: its name, or <name>-<task> for each task of an array.
QStringList pegasusIds(const WorkflowJob& job) {
    if (!job.arraySize) return {QString::fromStdString(job.name)};
    QStringList ids;
    for (int t = 0; t < job.arraySize; ++t)
        ids << QString::fromStdString(job.name) + "-" + QString::number(t);
    return ids;
}

}  // namespace

class TestWorkflow : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir() const { return fs::path(tmp_.path().toStdString()); }
    fs::path data_, bin_, fakeCli_, predict_, rules_, params_;
    std::optional<Catalog> catalog_;

    WorkflowOptions options(const fs::path& folder) const {
        WorkflowOptions o;
        o.executable = fakeCli_;
        o.data = data_;
        o.folder = folder;
        o.nodes = 3;
        o.tasksPerNode = 2;
        o.cpusPerTask = 4;
        o.shards = 5;
        o.npy = true;
        o.predictImages = predict_;
        o.trainArguments = {"--model", "compact", "--epochs", "2", "--label-smoothing", "0.1"};
        o.rules = rules_;
        o.params = params_;
        o.seed = 9;
        o.partition = "debug";
        o.timeLimit = "1-00:00:00";
        o.account = "astro";
        return o;
    }

    // Runs a script with the Slurm stand-ins; returns the arguments the fake galaxy-cli got.
    std::vector<std::string> argumentsGiven(const fs::path& script, const QString& task = "3") {
        const fs::path record = dir() / "args.bin";
        fs::remove(record);
        QProcessEnvironment env = test::environmentWithPath(bin_);
        env.insert("GZ_ARGS_FILE", q(record));
        env.insert("SLURM_ARRAY_TASK_ID", task);
        env.insert("SLURM_JOB_NODELIST", "node-[a-b]");
        const auto r = test::runBash(script, env);
        if (r.exitCode != 0) {
            qWarning("%s", qPrintable(r.err));
            return {};
        }
        return nulSeparated(record);
    }

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        data_ = dir() / "data";
        test::writeKaggleFolder(data_, {0, 1, 2, 3, 4, 0, 1, 2, 3, 4});
        catalog_ = Catalog::open(CatalogSource::kaggleFolder(data_));
        // Paths bash must not take apart: spaces, quotes, $ and backquotes.
        bin_ = dir() / "bin";
        test::writeSlurmStandIns(bin_);
        fakeCli_ = dir() / "tools dir" / "galaxy cli's";
        test::writeText(fakeCli_,
                        "#!/bin/bash\n"
                        "printf '%s\\0' \"$@\" >\"$GZ_ARGS_FILE\"\n"
                        "printf '%s' \"${MASTER_ADDR-}\" >\"$GZ_ARGS_FILE.master\"\n");
        fs::permissions(fakeCli_, fs::perms::owner_all);
        predict_ = dir() / "new images";
        test::writeJpeg(predict_ / "1.jpg");
        rules_ = dir() / "it's rules.json";
        test::writeText(rules_, "{}");
        params_ = dir() / "aug $HOME `true` \"x\".json";
        test::writeText(params_, "{}");
    }

    void theDagRunsTheStagesInOrder() {
        const Workflow wf = planWorkflow(*catalog_, options(dir() / "wf-dag"));
        std::vector<std::string> names, after;
        for (const auto& job : wf.jobs) names.push_back(job.name);
        QCOMPARE(toQt(names), (QStringList{"label", "split", "decode", "preprocess", "train",
                                           "evaluate", "predict"}));
        for (std::size_t i = 1; i < wf.jobs.size(); ++i)
            QCOMPARE(toQt(wf.jobs[i].after),
                     QStringList{QString::fromStdString(i == 6 ? "train" : wf.jobs[i - 1].name)});
        QVERIFY(wf.jobs[0].after.empty());

        const WorkflowJob& decode = wf.job("decode");
        QCOMPARE(decode.arraySize, 5);
        const auto task3 = decode.argumentsOfTask(3);
        const auto shard = std::find(task3.begin(), task3.end(), "--shard");
        QVERIFY(shard != task3.end() && shard + 1 != task3.end());
        QCOMPARE(*(shard + 1), std::string("3/5"));
        for (const char* job : {"decode", "preprocess"})
            QVERIFY2(hasOption(wf.job(job).arguments, "--params", params_.string()), job);
        const auto& pre = wf.job("preprocess").arguments;
        QVERIFY(std::find(pre.begin(), pre.end(), "--npy") != pre.end());
        QVERIFY(hasOption(pre, "--seed", "9"));
        const auto& label = wf.job("label").arguments;
        QVERIFY(std::find(label.begin(), label.end(), rules_.string()) != label.end());

        const WorkflowJob& train = wf.job("train");
        QVERIFY(train.distributed);
        QCOMPARE(train.nodes, 3);
        QCOMPARE(train.tasksPerNode, 2);
        QCOMPARE(train.cpusPerTask, 4);
        const std::vector<std::string> forwarded(train.arguments.end() - 6, train.arguments.end());
        QCOMPARE(toQt(forwarded), toQt(options({}).trainArguments));
        QVERIFY(hasOption(train.arguments, "--threads", "4"));
        QVERIFY(train.continuation);
        QCOMPARE(train.continuation->arguments.front(), std::string("resume"));

        // Every file is absolute; everything written lies in the workflow folder.
        for (const auto& job : wf.jobs) {
            for (const auto& p : job.inputs) QVERIFY2(p.is_absolute(), p.c_str());
            for (const auto& p : job.outputs) {
                QVERIFY2(isInsideFolder(p, wf.layout.folder), p.c_str());
                QVERIFY2(!catalog_->containsPath(p), p.c_str());
            }
            for (std::size_t i = 1; i < job.arguments.size(); ++i)
                if (job.arguments[i - 1] == "--out" || job.arguments[i - 1] == "--data" ||
                    job.arguments[i - 1] == "--split" || job.arguments[i - 1] == "--workspace")
                    QVERIFY2(fs::path(job.arguments[i]).is_absolute(), job.arguments[i].c_str());
        }
    }

    void badSettingsAreRefusedAndNothingIsWritten() {
        const fs::path folder = dir() / "wf-refused";
        auto refused = [&](WorkflowOptions o, const std::string& reason) {
            try {
                planWorkflow(*catalog_, o);
                QFAIL(("accepted, expected: " + reason).c_str());
            } catch (const DataError& e) {
                QVERIFY2(contains(e.what(), reason), e.what());
            }
        };
        auto o = options(folder);
        o.nodes = 0;
        refused(o, "--nodes: must be 1..");
        o = options(folder);
        o.shards = 0;
        refused(o, "--shards: must be 1..");
        o = options(folder);
        o.cpusPerTask = 0;
        refused(o, "--cpus-per-task");
        o = options(folder);
        o.partition = "two words";
        refused(o, "--partition \"two words\": must be one word");
        o = options(folder);
        o.trainArguments = {"--threads", "2"};
        refused(o, "--cpus-per-task");
        o = options(folder);
        o.trainArguments = {"--out", "elsewhere"};
        refused(o, "--out: the workflow sets it");
        o = options(folder);
        o.rules = dir() / "missing.json";
        refused(o, "--rules: file not found");
        o = options(data_ / "wf");
        refused(o, "inside the data set");
        o = options(predict_ / "wf");
        refused(o, "inside the data set");
        o = options(dir() / "100%" / "wf");
        refused(o, "cannot hold %");
        QVERIFY(!fs::exists(folder));

        // An existing folder: accepted when empty, refused otherwise, and never touched.
        const fs::path used = dir() / "wf-used";
        test::writeText(used / "notes.txt", "mine");
        refused(options(used), "exists and is not empty");
        QCOMPARE(scriptText(used / "notes.txt"), std::string("mine"));
        fs::create_directories(dir() / "wf-empty");
        writeSlurmWorkflow(planWorkflow(*catalog_, options(dir() / "wf-empty")));
        QVERIFY(fs::exists(dir() / "wf-empty" / "submit.sh"));
        test::writeText(dir() / "a file", "x");
        refused(options(dir() / "a file"), "not a folder");
    }

    void aFolderFilledAfterPlanningIsNotWrittenInto() {
        const fs::path folder = dir() / "wf-late";
        const Workflow wf = planWorkflow(*catalog_, options(folder));
        test::writeText(folder / "other.txt", "theirs");
        QVERIFY_THROWS_EXCEPTION(DataError, writeSlurmWorkflow(wf));
        QVERIFY_THROWS_EXCEPTION(DataError, writePegasusWorkflow(wf));
        std::size_t entries = 0;
        for (const auto& e : fs::directory_iterator(folder)) entries += e.exists();
        QCOMPARE(entries, std::size_t(1));
        for (const auto& e : fs::directory_iterator(dir()))
            QVERIFY2(!contains(e.path().filename().string(), ".tmp-"), e.path().c_str());
    }

    void slurmScriptsGiveGalaxyCliTheDagsArguments() {
        const fs::path folder = dir() / "work flow" / "wf";
        const Workflow wf = planWorkflow(*catalog_, options(folder));
        writeSlurmWorkflow(wf);
        QVERIFY(fs::is_directory(folder / "logs"));
        QVERIFY(!fs::exists(wf.layout.jobsFile()));
        for (std::size_t i = 0; i < wf.jobs.size(); ++i) {
            const WorkflowJob& job = wf.jobs[i];
            const fs::path script =
                folder / ("0" + std::to_string(i + 1) + "-" + job.name + ".sbatch");
            QVERIFY2(fs::exists(script), script.c_str());
            QCOMPARE(test::runBash(script, test::environmentWithPath(bin_), 10000, {"-n"}).exitCode,
                     0);
            const std::string text = scriptText(script);
            const std::string log =
                (folder / "logs" / job.name).string() + (job.arraySize ? "-%A_%a.out" : "-%j.out");
            QVERIFY2(contains(text, "#SBATCH --output=\"" + log + "\"\n"), text.c_str());
            QVERIFY(contains(text, "#SBATCH --partition=debug\n"));
            QVERIFY(contains(text, "#SBATCH --time=1-00:00:00\n"));
            QVERIFY(contains(text, "#SBATCH --account=astro\n"));
            QVERIFY(contains(text,
                             "#SBATCH --cpus-per-task=" + std::to_string(job.cpusPerTask) + "\n"));

            const auto given = argumentsGiven(script);
            const auto expected = job.arraySize ? job.argumentsOfTask(3) : job.arguments;
            QCOMPARE(toQt(given), toQt(expected));
            // The rendezvous address is the first node's NodeAddr, not its name.
            if (job.distributed)
                QCOMPARE(scriptText(dir() / "args.bin.master"), std::string("127.0.0.1"));
        }
        const std::string decode = scriptText(folder / "03-decode.sbatch");
        QVERIFY(contains(decode, "#SBATCH --array=0-4\n"));
        const std::string train = scriptText(folder / "05-train.sbatch");
        for (const char* line : {"#SBATCH --nodes=3\n", "#SBATCH --ntasks-per-node=2\n",
                                 "srun --nodes=3 --ntasks-per-node=2 --cpus-per-task=4"})
            QVERIFY2(contains(train, line), line);

        // Run again with a checkpoint in the run folder, the training job resumes it.
        const WorkflowJob& job = wf.job("train");
        test::writeText(job.continuation->marker, "checkpoint");
        QCOMPARE(toQt(argumentsGiven(folder / "05-train.sbatch")),
                 toQt(job.continuation->arguments));
    }

    void submitChainsTheJobsAndRecordsTheirIds() {
        const fs::path folder = dir() / "wf-submit";
        const Workflow wf = planWorkflow(*catalog_, options(folder));
        writeSlurmWorkflow(wf);
        // sbatch's stand-in: records each call's arguments, replies "<id>;cluster" from 100 on.
        const fs::path calls = dir() / "sbatch-calls";
        const fs::path sbatchBin = dir() / "sbatch-bin";
        test::writeText(sbatchBin / "sbatch",
                        "#!/bin/bash\n"
                        "n=$(ls \"$CALLS\" 2>/dev/null | wc -l)\n"
                        "[[ $n -lt ${FAIL_AT:-99} ]] || exit 1\n"
                        "printf '%s\\0' \"$@\" >\"$CALLS/$n\"\n"
                        "echo \"$((100 + n));cluster\"\n");
        fs::permissions(sbatchBin / "sbatch", fs::perms::owner_all);
        fs::create_directories(calls);
        QProcessEnvironment env = test::environmentWithPath(sbatchBin);
        env.insert("CALLS", q(calls));
        auto r = test::runBash(wf.layout.submitScript(), env);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString ids =
            "label 100\nsplit 101\ndecode 102\npreprocess 103\ntrain 104\nevaluate 105\n"
            "predict 106\n";
        QCOMPARE(r.out, ids);
        QCOMPARE(QString::fromStdString(scriptText(wf.layout.jobsFile())), ids);

        const std::map<std::string, std::string> dependency = {
            {"split", "afterok:100"}, {"decode", "afterok:101"},   {"preprocess", "afterok:102"},
            {"train", "afterok:103"}, {"evaluate", "afterok:104"}, {"predict", "afterok:104"}};
        for (std::size_t i = 0; i < wf.jobs.size(); ++i) {
            const auto args = nulSeparated(calls / std::to_string(i));
            QVERIFY(!args.empty());
            QCOMPARE(args.front(), std::string("--parsable"));
            QCOMPARE(fs::path(args.back()).parent_path(), folder);
            QVERIFY(contains(args.back(), wf.jobs[i].name + ".sbatch"));
            const auto it = dependency.find(wf.jobs[i].name);
            if (it == dependency.end()) {
                QCOMPARE(args.size(), std::size_t(2));
                continue;
            }
            QCOMPARE(toQt(std::vector<std::string>(args.begin() + 1, args.end() - 1)),
                     (QStringList{QString::fromStdString("--dependency=" + it->second),
                                  "--kill-on-invalid-dep=yes"}));
        }

        // Submitted once only.
        r = test::runBash(wf.layout.submitScript(), env);
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("submitted already"), qPrintable(r.err));
        QCOMPARE(QString::fromStdString(scriptText(wf.layout.jobsFile())), ids);

        // A refused submission stops there and says where the submitted jobs are listed.
        const fs::path second = dir() / "wf-submit-2";
        writeSlurmWorkflow(planWorkflow(*catalog_, options(second)));
        fs::remove_all(calls);
        fs::create_directories(calls);
        env.insert("FAIL_AT", "2");
        r = test::runBash(second / "submit.sh", env);
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("sbatch failed for job decode"), qPrintable(r.err));
        QCOMPARE(QString::fromStdString(scriptText(second / "jobs.txt")),
                 QString("label 100\nsplit 101\n"));
    }

    void pegasusYamlHoldsTheSameDag() {
        const fs::path folder = dir() / "wf-pegasus";
        const Workflow wf = planWorkflow(*catalog_, options(folder));
        writePegasusWorkflow(wf);
        QString error;
        const QVariantMap doc = test::readYaml(folder / "workflow.yml", &error).toMap();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(doc["pegasus"].toString(), QString("5.0"));
        QCOMPARE(doc["name"].toString(), QString("galaxy-morphology"));
        const QVariantMap tool =
            doc["transformationCatalog"].toMap()["transformations"].toList().value(0).toMap();
        QCOMPARE(tool["name"].toString(), QString("galaxy-cli"));
        QCOMPARE(tool["sites"].toList().value(0).toMap()["pfn"].toString(), q(fakeCli_));

        // Every job (each task of the array its own), with the DAG's arguments and files.
        const QVariantList jobs = doc["jobs"].toList();
        QStringList ids, expectedIds;
        std::map<QString, std::pair<const WorkflowJob*, int>> byId;
        for (const auto& job : wf.jobs) {
            int task = 0;
            for (const auto& id : pegasusIds(job)) {
                expectedIds << id;
                byId[id] = {&job, task++};
            }
        }
        for (const QVariant& j : jobs) {
            const QVariantMap job = j.toMap();
            const QString id = job["id"].toString();
            ids << id;
            QVERIFY2(byId.count(id), qPrintable(id));
            const auto [dag, task] = byId[id];
            QCOMPARE(job["type"].toString(), QString("job"));
            QCOMPARE(job["name"].toString(), QString("galaxy-cli"));
            QCOMPARE(job["arguments"].toStringList(), toQt(dag->argumentsOfTask(task)));
            std::set<std::pair<std::string, std::string>> uses, expectedUses;
            for (const QVariant& u : job["uses"].toList())
                uses.insert({u.toMap()["lfn"].toString().toStdString(),
                             u.toMap()["type"].toString().toStdString()});
            for (const auto& p : dag->inputs) expectedUses.insert({p.string(), "input"});
            for (const auto& p : dag->outputs) expectedUses.insert({p.string(), "output"});
            QVERIFY2(uses == expectedUses, qPrintable(id));
            const QVariantMap pegasus = job["profiles"].toMap()["pegasus"].toMap();
            QCOMPARE(pegasus["cores"].toInt(), dag->cpusPerTask);
            if (dag->distributed) {
                QCOMPARE(pegasus["nodes"].toInt(), 3);
                QCOMPARE(pegasus["ppn"].toInt(), 2);
            }
        }
        QCOMPARE(ids, expectedIds);

        // The dependencies: every DAG edge, between every task of the two jobs; no other.
        std::set<std::pair<QString, QString>> edges, expectedEdges;
        for (const QVariant& d : doc["jobDependencies"].toList())
            for (const QString& child : d.toMap()["children"].toStringList())
                edges.insert({d.toMap()["id"].toString(), child});
        for (const auto& job : wf.jobs)
            for (const auto& parent : job.after)
                for (const auto& p : pegasusIds(wf.job(parent)))
                    for (const auto& c : pegasusIds(job)) expectedEdges.insert({p, c});
        QVERIFY(edges == expectedEdges);

        // What no job writes is a replica: the data set's files, the rules, params and images.
        QStringList replicas;
        for (const QVariant& r : doc["replicaCatalog"].toMap()["replicas"].toList()) {
            replicas << r.toMap()["lfn"].toString();
            QCOMPARE(r.toMap()["pfns"].toList().value(0).toMap()["pfn"].toString(),
                     r.toMap()["lfn"].toString());
        }
        std::sort(replicas.begin(), replicas.end());
        QStringList expectedReplicas{q(catalog_->csvPath()), q(*catalog_->imageDir()), q(rules_),
                                     q(params_), q(predict_)};
        std::sort(expectedReplicas.begin(), expectedReplicas.end());
        QCOMPARE(replicas, expectedReplicas);
    }
};

QTEST_APPLESS_MAIN(TestWorkflow)
#include "test_workflow.moc"
