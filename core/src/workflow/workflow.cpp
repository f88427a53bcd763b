// The workflow's DAG: which galaxy-cli command each job runs, on what resources, reading and
// writing which files, after which jobs. The renderers (slurm_workflow.cpp,
// pegasus_workflow.cpp) only lay it out.

#include "gz/workflow.h"

#include <algorithm>
#include <stdexcept>

#include "gz/cache_shards.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/preprocess.h"
#include "gz/run_folder.h"
#include "util/file_io.h"
#include "workflow/workflow_folder.h"

namespace gz {
namespace fs = std::filesystem;

fs::path WorkflowLayout::labels() const {
    return folder / "labels.csv";
}
fs::path WorkflowLayout::split() const {
    return folder / "split.csv";
}
fs::path WorkflowLayout::workspace() const {
    return folder / "workspace";
}
fs::path WorkflowLayout::preprocess() const {
    return folder / "preprocess";
}
fs::path WorkflowLayout::run() const {
    return folder / "run";
}
fs::path WorkflowLayout::evaluation() const {
    return folder / "evaluation";
}
fs::path WorkflowLayout::predictions() const {
    return folder / "predictions.csv";
}
fs::path WorkflowLayout::logs() const {
    return folder / "logs";
}
fs::path WorkflowLayout::submitScript() const {
    return folder / "submit.sh";
}
fs::path WorkflowLayout::jobsFile() const {
    return folder / "jobs.txt";
}
fs::path WorkflowLayout::pegasusFile() const {
    return folder / "workflow.yml";
}

std::vector<std::string> WorkflowJob::argumentsOfTask(int task) const {
    std::vector<std::string> out = arguments;
    const std::string index = std::to_string(task);
    for (std::string& a : out)
        for (auto at = a.find(kWorkflowTaskIndex); at != std::string::npos;
             at = a.find(kWorkflowTaskIndex, at + index.size()))
            a.replace(at, kWorkflowTaskIndex.size(), index);
    return out;
}

const WorkflowJob& Workflow::job(std::string_view name) const {
    for (const WorkflowJob& j : jobs)
        if (j.name == name) return j;
    throw std::out_of_range("workflow: no job " + std::string(name));
}

namespace {

void requireRange(int value, int low, int high, std::string_view option) {
    if (value < low || value > high)
        throw DataError(std::string(option) + ": must be " + std::to_string(low) + ".." +
                        std::to_string(high) + ", not " + std::to_string(value));
}

// A scheduler setting goes on a line of its own in every script: one word, no quotes.
void requireWord(const std::string& value, std::string_view option) {
    for (unsigned char c : value)
        if (c <= ' ' || c == '"' || c == '\'' || c == '\\' || c == 0x7F)
            throw DataError(std::string(option) + " \"" + value +
                            "\": must be one word without spaces or quotes");
}

// Absolute, without a trailing separator.
fs::path absolutePath(const fs::path& p) {
    fs::path a = detail::absoluteClean(p);
    if (!a.has_filename() && a.has_parent_path()) a = a.parent_path();  // "WF/"
    return a;
}

fs::path requireExisting(const fs::path& path, bool folder, std::string_view option) {
    const fs::path p = absolutePath(path);
    std::error_code ec;
    if (folder ? !fs::is_directory(p, ec) : !fs::is_regular_file(p, ec))
        throw DataError(p,
                        std::string(option) + ": " + (folder ? "folder" : "file") + " not found");
    return p;
}

std::string text(const fs::path& p) {
    return p.string();
}

WorkflowJob makeJob(std::string name, std::string description, std::vector<std::string> arguments) {
    WorkflowJob job;
    job.name = std::move(name);
    job.description = std::move(description);
    job.arguments = std::move(arguments);
    return job;
}

}  // namespace

Workflow planWorkflow(const Catalog& catalog, const WorkflowOptions& given) {
    Workflow wf;
    WorkflowOptions& o = wf.options;
    o = given;
    requireRange(o.nodes, 1, 100000, "--nodes");
    requireRange(o.tasksPerNode, 1, 1024, "--tasks-per-node");
    requireRange(o.cpusPerTask, 1, 1024, "--cpus-per-task");
    requireRange(o.shards, 1, CacheShard::kMaxCount, "--shards");
    requireWord(o.partition, "--partition");
    requireWord(o.timeLimit, "--time");
    requireWord(o.account, "--account");
    const auto forwarded = [&](std::string_view option) {
        return std::find(o.trainArguments.begin(), o.trainArguments.end(), option) !=
               o.trainArguments.end();
    };
    if (forwarded("--threads"))
        throw DataError(
            "--threads: the workflow gives every training task --threads equal to "
            "--cpus-per-task");
    for (const char* set : {"--data", "--csv", "--images", "--split", "--workspace", "--out"})
        if (forwarded(set))
            throw DataError(std::string(set) + ": the workflow sets it for the training job");
    if (!catalog.imageDir())
        throw DataError(catalog.csvPath(), "the workflow needs the data set's image folder");
    if (o.folder.empty()) throw DataError("--out: no workflow folder given");

    o.executable = requireExisting(o.executable, false, "galaxy-cli");
    o.data = requireExisting(o.data, true, "--data");
    o.folder = absolutePath(o.folder);
    if (o.rules) o.rules = requireExisting(*o.rules, false, "--rules");
    if (o.params) o.params = requireExisting(*o.params, false, "--params");
    catalog.requireOutside(o.folder, "workflow folder");
    if (o.predictImages) {
        o.predictImages = requireExisting(*o.predictImages, true, "--predict");
        requireOutsideDataFolder(o.folder, *o.predictImages, "workflow folder");
    }
    detail::requireNewFolder(o.folder, "workflow folder");
    // Each path goes on an #SBATCH line of the scripts, where % starts a file-name pattern.
    if (text(o.folder).find_first_of("%\"\n") != std::string::npos)
        throw DataError(o.folder, "a workflow folder's path cannot hold %, \" or a line break");

    const WorkflowLayout& L = wf.layout = WorkflowLayout{o.folder};
    const fs::path images = absolutePath(*catalog.imageDir());
    const fs::path csv = absolutePath(catalog.csvPath());
    const fs::path cache = L.workspace() / "cache";
    const std::string data = text(o.data), split = text(L.split()), ws = text(L.workspace());
    const std::string threads = std::to_string(o.cpusPerTask);
    const RunFolder run{L.run()};
    auto add = [&](WorkflowJob job) -> WorkflowJob& {
        if (job.name != "label") job.after = {wf.jobs.back().name};
        wf.jobs.push_back(std::move(job));
        return wf.jobs.back();
    };

    WorkflowJob label =
        makeJob("label", "Labels every galaxy of the data set with the label rules.",
                {"label", "--data", data, "--out", text(L.labels())});
    label.inputs = {csv, images};
    if (o.rules) {
        label.arguments.insert(label.arguments.end(), {"--rules", text(*o.rules)});
        label.inputs.push_back(*o.rules);
    }
    label.outputs = {L.labels()};
    add(std::move(label));

    WorkflowJob partition =
        makeJob("split",
                "Partitions the labeled galaxies into training, validation and test "
                "subsets, stratified by class.",
                {"split", "--labels", text(L.labels()), "--out", split});
    partition.inputs = {L.labels()};
    partition.outputs = {L.split()};
    add(std::move(partition));

    const std::string shardOf = std::string(kWorkflowTaskIndex) + "/" + std::to_string(o.shards);
    WorkflowJob decode =
        makeJob("decode",
                "Decodes one shard of the split's images (task I of " + std::to_string(o.shards) +
                    ") into a part of the decoded-image cache.",
                {"preprocess", "--data", data, "--split", split, "--workspace", ws, "--shard",
                 shardOf, "--threads", threads});
    decode.arraySize = o.shards;
    decode.cpusPerTask = o.cpusPerTask;
    decode.inputs = {L.split(), images};
    if (o.params) {
        decode.arguments.insert(decode.arguments.end(), {"--params", text(*o.params)});
        decode.inputs.push_back(*o.params);
    }
    decode.outputs = {cache};
    add(std::move(decode));

    WorkflowJob preprocess =
        makeJob("preprocess",
                std::string("Assembles the decoded-image cache from the shards' parts and writes "
                            "preprocess.json") +
                    (o.npy ? " and the original workflow's eight .npy files." : "."),
                {"preprocess", "--data", data, "--split", split, "--workspace", ws, "--out",
                 text(L.preprocess()), "--threads", threads});
    preprocess.cpusPerTask = o.cpusPerTask;
    preprocess.inputs = {L.split(), images, cache};
    if (o.npy) preprocess.arguments.push_back("--npy");
    if (o.params) {
        preprocess.arguments.insert(preprocess.arguments.end(), {"--params", text(*o.params)});
        preprocess.inputs.push_back(*o.params);
    }
    if (o.seed)
        preprocess.arguments.insert(preprocess.arguments.end(),
                                    {"--seed", std::to_string(*o.seed)});
    preprocess.outputs = {L.preprocess() / std::string(kPreprocessJsonName)};
    if (o.npy)
        for (std::string_view name :
             {npyfiles::kTrainImages1, npyfiles::kTrainLabels1, npyfiles::kTrainImages2,
              npyfiles::kTrainLabels2, npyfiles::kValImages, npyfiles::kValLabels,
              npyfiles::kTestImages, npyfiles::kTestLabels})
            preprocess.outputs.push_back(L.preprocess() / std::string(name));
    add(std::move(preprocess));

    WorkflowJob train =
        makeJob("train",
                "Trains the network as " + std::to_string(o.nodes * o.tasksPerNode) +
                    " cooperating ranks (" + std::to_string(o.nodes) + " nodes x " +
                    std::to_string(o.tasksPerNode) + " tasks); rank 0 writes the run folder.",
                {"train", "--data", data, "--split", split, "--workspace", ws, "--out",
                 text(L.run()), "--threads", threads});
    train.arguments.insert(train.arguments.end(), o.trainArguments.begin(), o.trainArguments.end());
    train.nodes = o.nodes;
    train.tasksPerNode = o.tasksPerNode;
    train.cpusPerTask = o.cpusPerTask;
    train.distributed = true;
    train.continuation = WorkflowJob::Continuation{
        run.lastCheckpoint(), {"resume", "--run", text(L.run()), "--workspace", ws}};
    train.inputs = {L.split(), images, cache};
    for (const auto& file : {o.params, o.rules})
        if (file) train.inputs.push_back(*file);
    train.outputs = {run.config(),      run.split(),          run.metrics(),
                     run.timing(),      run.lastCheckpoint(), run.bestCheckpoint(),
                     run.predictions(), run.confusion(),      run.log()};
    add(std::move(train));

    const RunFolder evaluation{L.evaluation()};
    WorkflowJob evaluate =
        makeJob("evaluate", "Evaluates the run's best model on the run's test split.",
                {"evaluate", "--run", text(L.run()), "--data", data, "--split", text(run.split()),
                 "--subset", "test", "--workspace", ws, "--out", text(L.evaluation()), "--threads",
                 threads});
    evaluate.cpusPerTask = o.cpusPerTask;
    evaluate.inputs = {run.config(), run.bestCheckpoint(), run.split(), images};
    evaluate.outputs = {evaluation.predictions(), evaluation.confusion()};
    add(std::move(evaluate));

    if (o.predictImages) {
        WorkflowJob predict = makeJob(
            "predict", "Predicts the morphology of every JPEG in " + text(*o.predictImages) + ".",
            {"predict", "--run", text(L.run()), "--images", text(*o.predictImages), "--out",
             text(L.predictions()), "--threads", threads});
        predict.cpusPerTask = o.cpusPerTask;
        predict.inputs = {run.config(), run.bestCheckpoint(), *o.predictImages};
        predict.outputs = {L.predictions()};
        add(std::move(predict)).after = {"train"};
    }
    return wf;
}

}  // namespace gz
