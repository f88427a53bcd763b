// The workflow as a Pegasus 5 YAML workflow (workflow.yml), the format of the original workflow.
// Written by hand rather than with a YAML library: the document is a few fixed levels of maps
// and lists, and every string is written double-quoted with JSON's escapes, which YAML's
// double-quoted style reads the same way.

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gz/workflow.h"
#include "workflow/workflow_folder.h"

namespace gz {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kTransformation = "galaxy-cli";
constexpr std::string_view kSite = "local";

std::string q(std::string_view s) {
    return nlohmann::json(std::string(s))
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string qPath(const fs::path& p) {
    return q(p.string());
}

// A Pegasus job of one task of `job`: one per task of an array job, named <name>-<task>.
struct PegasusJob {
    std::string id;
    const WorkflowJob* job = nullptr;
    int task = 0;
};

std::vector<std::string> idsOf(const WorkflowJob& job) {
    if (!job.arraySize) return {job.name};
    std::vector<std::string> ids;
    for (int t = 0; t < job.arraySize; ++t) ids.push_back(job.name + "-" + std::to_string(t));
    return ids;
}

void writeJob(std::ostream& y, const PegasusJob& p, const WorkflowOptions& o) {
    const WorkflowJob& job = *p.job;
    y << "  - type: \"job\"\n"
      << "    name: " << q(kTransformation) << "\n"
      << "    id: " << q(p.id) << "\n"
      << "    nodeLabel: " << q(job.name) << "\n"
      << "    arguments: [";
    const auto arguments = job.arraySize ? job.argumentsOfTask(p.task) : job.arguments;
    for (std::size_t i = 0; i < arguments.size(); ++i) y << (i ? ", " : "") << q(arguments[i]);
    y << "]\n    uses:\n";
    for (const auto& in : job.inputs)
        y << "      - lfn: " << qPath(in) << "\n        type: \"input\"\n";
    for (const auto& out : job.outputs)
        y << "      - lfn: " << qPath(out)
          << "\n        type: \"output\"\n        stageOut: false\n        registerReplica: "
             "false\n";
    y << "    profiles:\n      pegasus:\n        cores: " << job.cpusPerTask << "\n";
    if (job.distributed)
        y << "        nodes: " << job.nodes << "\n        ppn: " << job.tasksPerNode << "\n";
    if (!o.partition.empty()) y << "        queue: " << q(o.partition) << "\n";
    if (!o.account.empty()) y << "        project: " << q(o.account) << "\n";
}

std::string document(const Workflow& wf) {
    const WorkflowOptions& o = wf.options;
    std::ostringstream y;
    y << "# Galaxy Morphology Studio: the pipeline as a Pegasus 5 workflow, written by\n"
         "# `galaxy-cli workflow pegasus`. Every path is absolute: plan it for a site whose\n"
         "# file system holds the data set and "
      << wf.layout.folder.string()
      << ",\n"
         "# e.g. pegasus-plan --dir submit --sites condorpool --output-sites local --submit "
         "workflow.yml\n"
         "# Folders are named as files where a job reads or writes a whole folder. The training\n"
         "# job is one task; for several ranks the site must start it once per rank (its\n"
         "# nodes and ppn profiles) with SLURM_PROCID/SLURM_NTASKS or RANK/WORLD_SIZE set.\n"
         "pegasus: \"5.0\"\n"
         "name: \"galaxy-morphology\"\n"
         "transformationCatalog:\n"
         "  transformations:\n"
         "    - name: "
      << q(kTransformation)
      << "\n"
         "      sites:\n"
         "        - name: "
      << q(kSite) << "\n          pfn: " << qPath(o.executable)
      << "\n          type: \"installed\"\n";

    // Inputs no job writes come from the data set (or the user): the replica catalog.
    std::vector<fs::path> outputs, external;
    for (const auto& job : wf.jobs)
        outputs.insert(outputs.end(), job.outputs.begin(), job.outputs.end());
    for (const auto& job : wf.jobs)
        for (const auto& in : job.inputs)
            if (std::find(outputs.begin(), outputs.end(), in) == outputs.end() &&
                std::find(external.begin(), external.end(), in) == external.end())
                external.push_back(in);
    y << "replicaCatalog:\n  replicas:\n";
    for (const auto& in : external)
        y << "    - lfn: " << qPath(in) << "\n      pfns:\n        - site: " << q(kSite)
          << "\n          pfn: " << qPath(in) << "\n";

    std::vector<PegasusJob> jobs;
    for (const auto& job : wf.jobs) {
        int task = 0;
        for (const auto& id : idsOf(job)) jobs.push_back({id, &job, task++});
    }
    y << "jobs:\n";
    for (const auto& p : jobs) writeJob(y, p, o);

    y << "jobDependencies:\n";
    for (const auto& parent : wf.jobs) {
        std::vector<std::string> children;
        for (const auto& child : wf.jobs)
            if (std::find(child.after.begin(), child.after.end(), parent.name) != child.after.end())
                for (const auto& id : idsOf(child)) children.push_back(id);
        if (children.empty()) continue;
        for (const auto& id : idsOf(parent)) {
            y << "  - id: " << q(id) << "\n    children: [";
            for (std::size_t i = 0; i < children.size(); ++i)
                y << (i ? ", " : "") << q(children[i]);
            y << "]\n";
        }
    }
    return y.str();
}

}  // namespace

void writePegasusWorkflow(const Workflow& wf) {
    detail::writeNewFolder(wf.layout.folder,
                           {{wf.layout.pegasusFile().filename(), document(wf), false}}, {});
}

}  // namespace gz
