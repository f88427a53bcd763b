// resolveWorld (gz/world.h): the command line first, then PyTorch's launcher variables, then
// Slurm's.

#include "gz/world.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <string>

#include "gz/error.h"

namespace gz {
namespace {

std::optional<long long> parseInteger(std::string_view text) {
    long long value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
    return value;
}

int integerOf(const std::string& text, const std::string& name) {
    const auto value = parseInteger(text);
    if (!value || *value < 0 || *value > 1'000'000)
        throw DataError("distributed training: " + name + " must be a whole number, not '" + text +
                        "'");
    return static_cast<int>(*value);
}

std::string require(const EnvironmentFn& env, const std::string& name, const std::string& with) {
    if (auto value = env(name)) return *value;
    throw DataError("distributed training: " + with + " is set but " + name + " is not");
}

// "HOST:PORT" (IPv6 as "[::1]:PORT").
void splitMaster(const std::string& text, World& world) {
    const auto colon = text.rfind(':');
    std::string host = colon == std::string::npos ? text : text.substr(0, colon);
    if (host.size() > 1 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (host.empty() || colon == std::string::npos)
        throw DataError("distributed training: --master must be HOST:PORT, not '" + text + "'");
    world.masterAddr = host;
    world.masterPort = integerOf(text.substr(colon + 1), "the port of --master");
}

World fromOptions(const WorldArgs& a) {
    World w;
    w.origin = "options";
    w.size = *a.size;
    if (w.size > 1 && !a.rank)
        throw DataError("distributed training: --world-size needs --rank (0 to " +
                        std::to_string(w.size - 1) + ")");
    w.rank = a.rank.value_or(0);
    if (a.master) splitMaster(*a.master, w);
    return w;
}

World fromLauncher(const EnvironmentFn& env) {
    World w;
    w.origin = "environment";
    w.size = integerOf(*env("WORLD_SIZE"), "WORLD_SIZE");
    w.rank = integerOf(require(env, "RANK", "WORLD_SIZE"), "RANK");
    if (w.size > 1) w.masterAddr = require(env, "MASTER_ADDR", "WORLD_SIZE");
    if (auto port = env("MASTER_PORT")) w.masterPort = integerOf(*port, "MASTER_PORT");
    return w;
}

World fromSlurm(const EnvironmentFn& env) {
    World w;
    w.origin = "Slurm";
    w.rank = integerOf(*env("SLURM_PROCID"), "SLURM_PROCID");
    auto tasks = env("SLURM_STEP_NUM_TASKS");
    if (!tasks) tasks = env("SLURM_NTASKS");
    w.size = tasks ? integerOf(*tasks, "SLURM_NTASKS") : 1;
    if (auto addr = env("MASTER_ADDR")) {
        w.masterAddr = *addr;
    } else {
        auto nodes = env("SLURM_STEP_NODELIST");
        if (!nodes) nodes = env("SLURM_JOB_NODELIST");
        if (w.size > 1 && !nodes)
            throw DataError(
                "distributed training: SLURM_PROCID is set but neither MASTER_ADDR nor "
                "SLURM_STEP_NODELIST names the host of rank 0");
        if (nodes) w.masterAddr = firstSlurmHost(*nodes);
    }
    if (auto port = env("MASTER_PORT"))
        w.masterPort = integerOf(*port, "MASTER_PORT");
    else if (auto job = env("SLURM_JOB_ID"))
        w.masterPort = slurmPort(integerOf(*job, "SLURM_JOB_ID"));
    return w;
}

}  // namespace

std::optional<std::string> processEnvironment(const std::string& name) {
    const char* value = std::getenv(name.c_str());
    if (!value || !*value) return std::nullopt;
    return std::string(value);
}

std::string World::text() const {
    if (!distributed()) return "a single process";
    return "rank " + std::to_string(rank) + " of " + std::to_string(size) +
           (origin.empty() ? "" : " (" + origin + ")") + ", master " + masterAddr + ":" +
           std::to_string(masterPort);
}

void World::validate() const {
    const std::string where = origin.empty() ? "" : " (from " + origin + ")";
    if (size < 1)
        throw DataError("distributed training: the world size must be at least 1" + where);
    if (rank < 0 || rank >= size)
        throw DataError("distributed training: rank " + std::to_string(rank) + " is outside 0.." +
                        std::to_string(size - 1) + where);
    if (masterPort < 1 || masterPort > 65535)
        throw DataError("distributed training: port " + std::to_string(masterPort) +
                        " is outside 1..65535" + where);
    if (!(timeoutSeconds > 0))
        throw DataError("distributed training: the timeout must be positive");
}

World resolveWorld(const WorldArgs& args, const EnvironmentFn& env) {
    World w;
    if (args.size)
        w = fromOptions(args);
    else if (args.rank || args.master)
        throw DataError("distributed training: --rank and --master need --world-size");
    else if (env("WORLD_SIZE"))
        w = fromLauncher(env);
    else if (env("SLURM_PROCID") && (env("SLURM_STEP_NUM_TASKS") || env("SLURM_STEP_ID")))
        w = fromSlurm(env);  // an srun step; a batch script's own shell (no step) runs alone
    if (args.timeoutSeconds) w.timeoutSeconds = *args.timeoutSeconds;
    if (w.size == 1) w.origin.clear();
    w.validate();
    return w;
}

std::string firstSlurmHost(std::string_view nodelist) {
    // The first entry ends at a comma outside brackets.
    std::size_t end = 0;
    int depth = 0;
    for (; end < nodelist.size(); ++end) {
        if (nodelist[end] == '[') ++depth;
        if (nodelist[end] == ']') --depth;
        if (nodelist[end] == ',' && depth == 0) break;
    }
    const std::string_view first = nodelist.substr(0, end);
    const auto open = first.find('[');
    if (open == std::string_view::npos) return std::string(first);
    // The first number of the range list: "003-005,9]" -> "003" (padding kept).
    std::size_t digits = open + 1;
    while (digits < first.size() && std::isdigit(static_cast<unsigned char>(first[digits])))
        ++digits;
    return std::string(first.substr(0, open)) +
           std::string(first.substr(open + 1, digits - open - 1));
}

int slurmPort(std::int64_t jobId) {
    return 20000 + static_cast<int>(jobId % 10000);
}

int freeLocalPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof addr;
    int port = 0;
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) == 0)
        port = ntohs(addr.sin_port);
    if (fd >= 0) ::close(fd);
    if (port == 0) throw DataError("cannot find a free TCP port on 127.0.0.1");
    return port;
}

}  // namespace gz
