#pragma once
// The world of a data-parallel training: how many cooperating processes (ranks) train one run,
// which one this process is, and where they meet. Read from the command line, else from the
// environment PyTorch's launcher sets, else from Slurm's.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace gz {

/// Where this process stands in a data-parallel training. Size 1 is a plain, single-process run.
struct World {
    static constexpr int kDefaultPort = 29500;
    static constexpr double kDefaultTimeoutSeconds = 300;

    int size = 1;
    int rank = 0;
    std::string masterAddr = "127.0.0.1";  ///< the host of rank 0, which runs the rendezvous
    int masterPort = kDefaultPort;
    /// How long a rank waits for one that does not arrive or answer before giving up.
    double timeoutSeconds = kDefaultTimeoutSeconds;
    /// Where the figures came from: "options", "environment" (RANK/WORLD_SIZE), "Slurm", or ""
    /// for a plain run.
    std::string origin;

    bool distributed() const { return size > 1; }
    bool leader() const { return rank == 0; }
    /// "rank 1 of 4 (Slurm), master node7:29731"
    std::string text() const;
    /// Throws DataError naming the bad figure.
    void validate() const;
};

/// What the command line gave (--world-size, --rank, --master HOST:PORT, --dist-timeout).
struct WorldArgs {
    std::optional<int> size, rank;
    std::optional<std::string> master;
    std::optional<double> timeoutSeconds;
};

/// Reads an environment variable; nullopt when unset or empty.
using EnvironmentFn = std::function<std::optional<std::string>(const std::string&)>;
/// The process environment (std::getenv).
std::optional<std::string> processEnvironment(const std::string& name);

/// The world, from the first source that names one: the command line (`--world-size` with
/// `--rank`, `--master`); RANK and WORLD_SIZE with MASTER_ADDR and MASTER_PORT (PyTorch's
/// launcher); SLURM_PROCID and SLURM_STEP_NUM_TASKS (else SLURM_NTASKS) inside an srun step,
/// meeting at MASTER_ADDR when set, else at the first host of SLURM_STEP_NODELIST (else
/// SLURM_JOB_NODELIST), on MASTER_PORT when set, else on slurmPort(SLURM_JOB_ID). Nothing
/// named, or a batch script's own shell outside srun (SLURM_PROCID 0 but no step): a plain run. Throws DataError naming the option or variable that is malformed or
/// missing.
World resolveWorld(const WorldArgs& args, const EnvironmentFn& env = processEnvironment);

/// The first host of a Slurm host list: "n[3-5,9],gpu1" -> "n3"; "node[007-009]" -> "node007".
std::string firstSlurmHost(std::string_view nodelist);

/// The rendezvous port of a Slurm job: in 20000..29999, from its id, so that two jobs sharing a
/// node rarely pick the same port.
int slurmPort(std::int64_t jobId);

/// A TCP port on 127.0.0.1 that was free a moment ago (for ranks started on this machine).
/// Throws DataError when there is none.
int freeLocalPort();

}  // namespace gz
