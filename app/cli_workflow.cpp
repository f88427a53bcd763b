// galaxy-cli workflow slurm|pegasus: the whole pipeline written as cluster jobs (gz/workflow.h).

#include <cstdio>
#include <memory>
#include <string>

#include "cli_commands.h"
#include "cli_common.h"
#include "cli_train_options.h"
#include "gz/catalog.h"
#include "gz/error.h"
#include "gz/workflow.h"

namespace gz::cli {
namespace {

namespace fs = std::filesystem;

enum class Engine { Slurm, Pegasus };

struct WorkflowArgs {
    CLI::App* cmd = nullptr;
    std::string data, out, predict;
    WorkflowOptions options;
    TrainOptionArgs train;
};

int runWorkflow(WorkflowArgs& a, Engine engine, const std::stop_token& stop) {
    trainConfigFrom(a.train);  // bad training options are refused now, not on the cluster
    CatalogArgs catalogArgs;
    catalogArgs.data = a.data;
    const Catalog catalog = openCatalog(catalogArgs, stop);

    WorkflowOptions o = a.options;
    std::error_code ec;
    o.executable = fs::read_symlink("/proc/self/exe", ec);
    if (ec) throw DataError("/proc/self/exe", "cannot find galaxy-cli itself: " + ec.message());
    o.data = a.data;
    o.folder = a.out;
    if (!a.predict.empty()) o.predictImages = fs::path(a.predict);
    o.trainArguments = givenTrainArguments(a.train);
    if (!a.train.rules.empty()) o.rules = fs::path(a.train.rules);
    if (!a.train.params.empty()) o.params = fs::path(a.train.params);
    if (a.cmd->get_option("--seed")->count()) o.seed = a.train.config.seed;

    const Workflow wf = planWorkflow(catalog, o);
    if (engine == Engine::Slurm) {
        writeSlurmWorkflow(wf);
        std::printf("wrote %zu Slurm jobs to %s:", wf.jobs.size(), wf.layout.folder.c_str());
        for (const auto& job : wf.jobs)
            std::printf(" %s%s", job.name.c_str(),
                        job.arraySize ? ("[" + std::to_string(job.arraySize) + "]").c_str() : "");
        std::printf("\nsubmit them with: bash %s\n", wf.layout.submitScript().c_str());
    } else {
        writePegasusWorkflow(wf);
        std::size_t jobs = 0;
        for (const auto& job : wf.jobs) jobs += job.arraySize ? job.arraySize : 1;
        std::printf("wrote the Pegasus workflow %s (%zu jobs)\n", wf.layout.pegasusFile().c_str(),
                    jobs);
    }
    return kExitOk;
}

Command addWorkflowCommand(CLI::App& group, const std::string& name, Engine engine,
                           const std::string& description) {
    auto a = std::make_shared<WorkflowArgs>();
    WorkflowOptions& o = a->options;
    auto* cmd = a->cmd = group.add_subcommand(name, description);
    cmd->add_option("--data", a->data,
                    "Data folder in the Kaggle layout (images_training_rev1/ + "
                    "training_solutions_rev1.csv)")
        ->required()
        ->check(CLI::ExistingDirectory);
    cmd->add_option("--out", a->out,
                    "Workflow folder to create (must not exist, or be empty); every job writes "
                    "into it")
        ->required();
    cmd->add_option("--nodes", o.nodes, "Nodes of the training")->capture_default_str();
    cmd->add_option("--tasks-per-node", o.tasksPerNode, "Training ranks per node")
        ->capture_default_str();
    cmd->add_option("--cpus-per-task", o.cpusPerTask, "Cores of every task (and its --threads)")
        ->capture_default_str();
    cmd->add_option("--partition", o.partition, "Partition (queue) of every job");
    cmd->add_option("--time", o.timeLimit, "Time limit of every job (Slurm's format)");
    cmd->add_option("--account", o.account, "Account charged for every job");
    cmd->add_option("--shards", o.shards, "Tasks of the job array decoding the image cache")
        ->capture_default_str();
    cmd->add_flag("--npy", o.npy, "The preprocess job also writes the original eight .npy files");
    cmd->add_option("--predict", a->predict,
                    "Folder of JPEGs to classify with the trained model (predictions.csv)")
        ->check(CLI::ExistingDirectory);
    addTrainOptions(cmd, a->train);
    return {cmd,
            [a, engine](const std::stop_token& stop) { return runWorkflow(*a, engine, stop); }};
}

}  // namespace

void registerWorkflowCommands(CLI::App& app, Context& ctx) {
    auto* workflow = app.add_subcommand(
        "workflow",
        "The whole pipeline as cluster jobs: Slurm batch scripts or a Pegasus workflow");
    ctx.add(addWorkflowCommand(*workflow, "slurm", Engine::Slurm,
                               "Write Slurm batch scripts and submit.sh, which submits them "
                               "chained: label, split, preprocess (a job array), training on N "
                               "nodes, evaluation, prediction"));
    ctx.add(addWorkflowCommand(*workflow, "pegasus", Engine::Pegasus,
                               "Write the same jobs as a Pegasus 5 workflow (workflow.yml)"));
    ctx.add({workflow, [](const std::stop_token&) {
                 return usageError("workflow needs an engine: slurm or pegasus");
             }});
}

}  // namespace gz::cli
