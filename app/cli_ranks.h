#pragma once
// Ranks of a data-parallel run started by galaxy-cli itself on this machine (bench train
// --world-size N): this process is rank 0, the others are copies of it.

#include <sys/types.h>

#include <string>
#include <vector>

namespace gz::cli {

/// Ranks 1..N-1 of a local world, each `galaxy-cli <args> --rank R`, their standard output
/// discarded (their errors shown). The destructor stops those still running.
class LocalRanks {
public:
    LocalRanks(const std::vector<std::string>& args, int worldSize);
    ~LocalRanks();
    LocalRanks(const LocalRanks&) = delete;
    LocalRanks& operator=(const LocalRanks&) = delete;

    /// Waits for every rank; throws DataError naming the first that failed.
    void wait();

private:
    std::vector<pid_t> pids_;
};

}  // namespace gz::cli
