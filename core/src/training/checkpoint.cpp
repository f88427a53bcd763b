#include "training/checkpoint.h"

#include <torch/serialize.h>

#include <ostream>
#include <sstream>
#include <system_error>

#include "gz/error.h"
#include "gz/files.h"
#include "training/weight_average.h"

namespace gz::detail {
namespace fs = std::filesystem;

void saveCheckpoint(const fs::path& file, GalaxyNetImpl& net, torch::optim::Optimizer& optimizer,
                    const std::string& state, GalaxyNetImpl* average) {
    torch::serialize::OutputArchive archive, modelArchive, optimizerArchive, averageArchive;
    net.save(modelArchive);
    optimizer.save(optimizerArchive);
    archive.write("model", modelArchive);
    archive.write("optimizer", optimizerArchive);
    if (average) {
        average->save(averageArchive);
        archive.write("average", averageArchive);
    }
    archive.write("state", c10::IValue(state));
    // Serialised in memory first: LibTorch's writer throws from its destructor when the stream
    // fails (a full disk), which ends the process; a string stream does not fail.
    std::ostringstream bytes;
    try {
        archive.save_to(bytes);
    } catch (const c10::Error& e) {
        throw DataError(file,
                        std::string("cannot write checkpoint: ") + e.what_without_backtrace());
    }
    const std::string data = std::move(bytes).str();
    writeFileAtomically(file, [&](std::ostream& out) {
        out.write(data.data(), static_cast<std::streamsize>(data.size()));
    });
}

std::string loadCheckpoint(const fs::path& file, GalaxyNetImpl& net,
                           torch::optim::Optimizer* optimizer, const torch::Device& device,
                           GalaxyNetImpl* average) {
    std::error_code ec;
    if (!fs::exists(file, ec)) throw DataError(file, "checkpoint not found");
    try {
        torch::serialize::InputArchive archive, modelArchive, optimizerArchive, averageArchive;
        archive.load_from(file.string(), device);
        archive.read("model", modelArchive);
        net.load(modelArchive);
        toModelLayout(net);
        if (average) {
            if (archive.try_read("average", averageArchive)) {
                average->load(averageArchive);
                toModelLayout(*average);
            } else {
                copyWeights(*average, net);
            }
        }
        if (optimizer) {
            archive.read("optimizer", optimizerArchive);
            optimizer->load(optimizerArchive);
        }
        c10::IValue state;
        archive.read("state", state);
        return state.toStringRef();
    } catch (const std::exception& e) {
        throw DataError(file, std::string("cannot read checkpoint: ") + e.what());
    }
}

GalaxyNet makeRunModel(const TrainConfig& config) {
    GalaxyNet net = makeModel(config.model, config.hasVotesHead());
    net->setDecision(ClassDecision(config.decision, config.rules));
    return net;
}

GalaxyNet loadRunModel(const RunFolder& run, const TrainConfig& config, const torch::Device& device,
                       CheckpointChoice checkpoint) {
    GalaxyNet net = makeRunModel(config);
    net->to(device);
    std::error_code ec;
    const bool best = checkpoint == CheckpointChoice::Best && fs::exists(run.bestCheckpoint(), ec);
    loadCheckpoint(best ? run.bestCheckpoint() : run.lastCheckpoint(), *net, nullptr, device);
    net->eval();
    return net;
}

}  // namespace gz::detail
