#pragma once
// The pipeline as a workflow of cluster jobs: label -> split -> preprocess (a job array decoding
// the image cache in shards, then the job assembling it) -> distributed training -> evaluation on
// the test split -> (optionally) prediction on a folder. The DAG is built here, once; it is
// written as Slurm batch scripts with a submit script, or as a Pegasus 5 workflow.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gz/catalog.h"

namespace gz {

/// Stands for the task index (0 .. arraySize - 1) in an array job's arguments; the renderers
/// replace it (Slurm: $SLURM_ARRAY_TASK_ID; Pegasus: one job per index).
inline constexpr std::string_view kWorkflowTaskIndex = "{task}";

/// Where a workflow's jobs write: everything below one folder, nothing in the data set.
struct WorkflowLayout {
    std::filesystem::path folder;  ///< absolute

    std::filesystem::path labels() const;        ///< labels.csv
    std::filesystem::path split() const;         ///< split.csv
    std::filesystem::path workspace() const;     ///< workspace/ (the decoded cache)
    std::filesystem::path preprocess() const;    ///< preprocess/ (preprocess.json, .npy files)
    std::filesystem::path run() const;           ///< run/ (the run folder)
    std::filesystem::path evaluation() const;    ///< evaluation/ (predictions.csv, confusion.json)
    std::filesystem::path predictions() const;   ///< predictions.csv (of the --predict folder)
    std::filesystem::path logs() const;          ///< logs/
    std::filesystem::path submitScript() const;  ///< submit.sh
    std::filesystem::path jobsFile() const;      ///< jobs.txt (written by submit.sh)
    std::filesystem::path pegasusFile() const;   ///< workflow.yml
};

/// One job of the DAG (an array job: arraySize tasks).
struct WorkflowJob {
    std::string name;                    ///< unique: [a-z0-9-]; the script's and the logs' name
    std::string description;             ///< what it does, one sentence
    std::vector<std::string> arguments;  ///< galaxy-cli's arguments (kWorkflowTaskIndex inside)
    int arraySize = 0;                   ///< 0: one job; K: tasks 0 .. K-1
    int nodes = 1;
    int tasksPerNode = 1;
    int cpusPerTask = 1;
    /// The tasks run together (srun over nodes x tasksPerNode) as one distributed program.
    bool distributed = false;
    /// When `marker` exists (the job ran before and was killed), `arguments` continue the work
    /// instead (e.g. resume from the last checkpoint).
    struct Continuation {
        std::filesystem::path marker;
        std::vector<std::string> arguments;
    };
    std::optional<Continuation> continuation;
    std::vector<std::filesystem::path> inputs;   ///< files and folders it reads
    std::vector<std::filesystem::path> outputs;  ///< files and folders it writes
    std::vector<std::string> after;              ///< the jobs that must succeed first

    /// The arguments of task `task` of an array job, kWorkflowTaskIndex replaced by the number.
    std::vector<std::string> argumentsOfTask(int task) const;
};

/// What the workflow runs, and on what.
struct WorkflowOptions {
    static constexpr int kDefaultShards = 4;
    std::filesystem::path executable;  ///< galaxy-cli (made absolute)
    std::filesystem::path data;        ///< the data folder in the Kaggle layout
    std::filesystem::path folder;      ///< the workflow folder: must not exist or be empty
    int nodes = 1;                     ///< of the training
    int tasksPerNode = 1;              ///< training ranks per node
    int cpusPerTask = 1;               ///< cores of every task (its --threads)
    int shards = kDefaultShards;       ///< tasks of the cache-decoding job array
    bool npy = false;                  ///< the preprocess job also writes the .npy files
    std::optional<std::filesystem::path> predictImages;  ///< a folder of JPEGs to classify
    /// Options of `galaxy-cli train` as the user gave them ("--epochs", "3", ...), for the
    /// training job; not those the workflow sets (--threads from cpusPerTask, --data, --split,
    /// --workspace, --out).
    std::vector<std::string> trainArguments;
    std::optional<std::filesystem::path> rules;   ///< also for the label job
    std::optional<std::filesystem::path> params;  ///< also for the preprocess jobs (same cache)
    std::optional<std::uint64_t> seed;            ///< also for the .npy augmentation
    std::string partition, timeLimit, account;    ///< the scheduler's (empty: its default)
};

/// The DAG: its jobs in an order where each comes after the jobs it needs.
struct Workflow {
    WorkflowOptions options;  ///< with every path absolute
    WorkflowLayout layout;
    std::vector<WorkflowJob> jobs;

    /// The job called `name`; throws std::out_of_range when there is none.
    const WorkflowJob& job(std::string_view name) const;
};

/// Builds the workflow of `options` on the data set `catalog` (opened from options.data).
/// Throws DataError, naming the option, when a count is out of range, the workflow folder is in
/// the data set or the prediction folder, or exists and is not empty, or a file is missing.
Workflow planWorkflow(const Catalog& catalog, const WorkflowOptions& options);

/// Writes the Slurm batch scripts (one per job, NN-<name>.sbatch), submit.sh and the logs/
/// folder into the workflow folder: all of them or, on an error, none (the folder is created
/// whole). submit.sh submits the jobs chained with --dependency=afterok, cancelling what depends
/// on a failed job (--kill-on-invalid-dep=yes), prints their ids and writes them to jobs.txt.
void writeSlurmWorkflow(const Workflow& workflow);

/// Writes the same DAG as a Pegasus 5 YAML workflow (workflow.yml: the transformation
/// galaxy-cli, the data set's files as replicas, the jobs with their arguments and uses, the
/// dependencies) into the workflow folder, created whole as writeSlurmWorkflow does.
void writePegasusWorkflow(const Workflow& workflow);

}  // namespace gz
