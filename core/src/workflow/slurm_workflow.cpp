// The workflow as Slurm batch scripts, one a job, and submit.sh chaining them with
// --dependency=afterok. Plain bash, meant to be read: each script says what it does, what it
// reads and writes and what it waits for.

#include <sstream>

#include "gz/workflow.h"
#include "workflow/workflow_folder.h"

namespace gz {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kArrayTask = "\"${SLURM_ARRAY_TASK_ID}\"";

// A word for bash: as it is when it holds only characters bash leaves alone, else in single
// quotes (a ' inside becomes '\'').
std::string quote(std::string_view s) {
    const bool plain = !s.empty() && s.find_first_not_of(
                                         "abcdefghijklmnopqrstuvwxyz"
                                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789_@%+=:,./-") == std::string_view::npos;
    if (plain) return std::string(s);
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// An argument of an array job, the task index standing for $SLURM_ARRAY_TASK_ID.
std::string quoteArrayArgument(std::string_view arg) {
    std::string out;
    for (auto at = arg.find(kWorkflowTaskIndex); at != std::string_view::npos;
         at = arg.find(kWorkflowTaskIndex)) {
        if (at > 0) out += quote(arg.substr(0, at));
        out += kArrayTask;
        arg.remove_prefix(at + kWorkflowTaskIndex.size());
    }
    if (!arg.empty() || out.empty()) out += quote(arg);
    return out;
}

// The command line of galaxy-cli with `arguments`, continued over lines at each option (after
// the first), indented by `indent` and four spaces.
std::string commandLine(const fs::path& executable, const std::vector<std::string>& arguments,
                        bool array, const std::string& indent) {
    std::string line = quote(executable.string());
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const bool option = arguments[i].starts_with("--");
        line += (option && i > 1 ? " \\\n" + indent + "    " : " ") +
                (array ? quoteArrayArgument(arguments[i]) : quote(arguments[i]));
    }
    return line;
}

// An #SBATCH value: the workflow folder's path has no % or " (planWorkflow), so quotes are
// needed only for spaces, which sbatch reads inside double quotes.
std::string sbatchValue(const std::string& value) {
    return value.find(' ') == std::string::npos ? value : "\"" + value + "\"";
}

std::string scriptName(std::size_t index, const WorkflowJob& job) {
    return (index < 9 ? "0" : "") + std::to_string(index + 1) + "-" + job.name + ".sbatch";
}

// srun starting the job's tasks, then the command on the next line.
std::string srunPrefix(const WorkflowJob& job, const std::string& indent) {
    return "srun --nodes=" + std::to_string(job.nodes) +
           " --ntasks-per-node=" + std::to_string(job.tasksPerNode) +
           " --cpus-per-task=" + std::to_string(job.cpusPerTask) + " --kill-on-bad-exit=1 \\\n" +
           indent + "    ";
}

std::string script(const Workflow& wf, std::size_t index) {
    const WorkflowJob& job = wf.jobs[index];
    const WorkflowOptions& o = wf.options;
    std::ostringstream s;
    s << "#!/bin/bash\n"
      << "# Galaxy Morphology Studio workflow, job " << index + 1 << " of " << wf.jobs.size()
      << ": " << job.name << (job.arraySize ? " (a job array)" : "") << "\n"
      << "# " << job.description << "\n";
    if (!job.after.empty()) {
        s << "# Starts when these jobs have succeeded:";
        for (const auto& a : job.after) s << " " << a;
        s << " (submit.sh chains them).\n";
    }
    s << "# Reads:";
    for (const auto& p : job.inputs) s << "\n#   " << p.string();
    s << "\n# Writes:";
    for (const auto& p : job.outputs) s << "\n#   " << p.string();
    s << "\n# Submit the whole workflow with: bash " << wf.layout.submitScript().string() << "\n";

    const std::string log =
        (wf.layout.logs() / (job.name + (job.arraySize ? "-%A_%a" : "-%j") + ".out")).string();
    s << "#SBATCH --job-name=gz-" << job.name << "\n";
    if (job.arraySize) s << "#SBATCH --array=0-" << job.arraySize - 1 << "\n";
    s << "#SBATCH --output=" << sbatchValue(log) << "\n"
      << "#SBATCH --chdir=" << sbatchValue(wf.layout.folder.string()) << "\n"
      << "#SBATCH --nodes=" << job.nodes << "\n";
    if (job.distributed)
        s << "#SBATCH --ntasks-per-node=" << job.tasksPerNode << "\n";
    else
        s << "#SBATCH --ntasks=1\n";
    s << "#SBATCH --cpus-per-task=" << job.cpusPerTask << "\n";
    if (!o.partition.empty()) s << "#SBATCH --partition=" << o.partition << "\n";
    if (!o.timeLimit.empty()) s << "#SBATCH --time=" << o.timeLimit << "\n";
    if (!o.account.empty()) s << "#SBATCH --account=" << o.account << "\n";
    s << "\nset -euo pipefail\n\n";

    if (!job.distributed) {
        s << commandLine(o.executable, job.arguments, job.arraySize > 0, "") << "\n";
        return s.str();
    }
    s << "# Rank 0 runs on the job's first node; the other ranks meet it at that node's address\n"
         "# (its NodeAddr), which works even where node names do not resolve. galaxy-cli takes\n"
         "# its rank and the world size from srun (SLURM_PROCID, SLURM_NTASKS) and the port\n"
         "# from SLURM_JOB_ID.\n"
         "nodes=$(scontrol show hostnames \"$SLURM_JOB_NODELIST\")\n"
         "first_node=${nodes%%$'\\n'*}\n"
         "node_info=$(scontrol show node \"$first_node\")\n"
         "if [[ ! $node_info =~ NodeAddr=([^[:space:]]+) ]]; then\n"
         "    echo \"no NodeAddr for node $first_node in: $node_info\" >&2\n"
         "    exit 1\n"
         "fi\n"
         "export MASTER_ADDR=${BASH_REMATCH[1]}\n"
         "echo \"rank 0 on $first_node ($MASTER_ADDR); "
      << job.nodes * job.tasksPerNode << " ranks on $SLURM_JOB_NODELIST\"\n\n";
    if (job.continuation) {
        s << "if [[ -e " << quote(job.continuation->marker.string()) << " ]]; then\n"
          << "    # This job ran before (killed, requeued or submitted again): continue it.\n"
          << "    " << srunPrefix(job, "    ")
          << commandLine(o.executable, job.continuation->arguments, job.arraySize > 0, "    ")
          << "\nelse\n"
          << "    " << srunPrefix(job, "    ")
          << commandLine(o.executable, job.arguments, job.arraySize > 0, "    ") << "\nfi\n";
    } else {
        s << srunPrefix(job, "") << commandLine(o.executable, job.arguments, job.arraySize > 0, "")
          << "\n";
    }
    return s.str();
}

// A bash variable name for a job's id.
std::string idVariable(const std::string& name) {
    std::string v = "id_";
    for (char c : name) v += c == '-' ? '_' : c;
    return v;
}

std::string submitScript(const Workflow& wf) {
    const std::string jobs = quote(wf.layout.jobsFile().string());
    std::ostringstream s;
    s << "#!/bin/bash\n"
         "# Submits the Galaxy Morphology Studio workflow in "
      << wf.layout.folder.string()
      << " to Slurm.\n"
         "# Each job starts only when the jobs it needs have succeeded "
         "(--dependency=afterok:<ids>).\n"
         "# When a job fails, the jobs that depend on it are cancelled at once "
         "(--kill-on-invalid-dep=yes),\n"
         "# whatever the cluster's kill_invalid_depend setting, instead of waiting forever.\n"
         "# It prints each job's name and id and writes them to jobs.txt; run it once.\n"
         "# Watch with: squeue --me; the logs are in "
      << wf.layout.logs().string()
      << ".\n"
         "set -euo pipefail\n\n"
         "jobs_file="
      << jobs
      << "\n"
         "if [[ -e $jobs_file ]]; then\n"
         "    echo \"submit.sh: this workflow was submitted already ($jobs_file exists); make a "
         "new "
         "one with galaxy-cli workflow slurm to run it again\" >&2\n"
         "    exit 1\n"
         "fi\n\n"
         "# submit NAME SBATCH-ARGUMENTS...: submits a job, records and prints its id, sets "
         "$job_id\n"
         "submit() {\n"
         "    local name=$1 reply\n"
         "    shift\n"
         "    if ! reply=$(sbatch --parsable \"$@\"); then\n"
         "        echo \"submit.sh: sbatch failed for job $name; the jobs submitted before it are "
         "in $jobs_file (cancel them with scancel)\" >&2\n"
         "        exit 1\n"
         "    fi\n"
         "    job_id=${reply%%;*}\n"
         "    printf '%s %s\\n' \"$name\" \"$job_id\" >>\"$jobs_file\"\n"
         "    printf '%s %s\\n' \"$name\" \"$job_id\"\n"
         "}\n\n";
    for (std::size_t i = 0; i < wf.jobs.size(); ++i) {
        const WorkflowJob& job = wf.jobs[i];
        s << "submit " << job.name;
        if (!job.after.empty()) {
            s << " --dependency=afterok";
            for (const auto& a : job.after) s << ":$" << idVariable(a);
            s << " --kill-on-invalid-dep=yes";
        }
        s << " " << quote((wf.layout.folder / scriptName(i, job)).string()) << "\n"
          << idVariable(job.name) << "=$job_id\n";
    }
    return s.str();
}

}  // namespace

void writeSlurmWorkflow(const Workflow& wf) {
    std::vector<detail::FolderFile> files;
    for (std::size_t i = 0; i < wf.jobs.size(); ++i)
        files.push_back({scriptName(i, wf.jobs[i]), script(wf, i), true});
    files.push_back({wf.layout.submitScript().filename(), submitScript(wf), true});
    detail::writeNewFolder(wf.layout.folder, files, {wf.layout.logs().filename()});
}

}  // namespace gz
