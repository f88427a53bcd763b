// startTraining and resumeTraining (gz/training.h): the run folder around the training loop.

#include <memory>
#include <ostream>
#include <system_error>

#include "distributed/communicator.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/run_folder.h"
#include "gz/training.h"
#include "training/training_loop.h"
#include "util/file_io.h"

namespace gz {
namespace fs = std::filesystem;

namespace {

// Makes the run folder (it must be absent or empty) and locks it; a second start into the same
// folder at the same moment finds the lock or, once the first has written its config, the file.
std::unique_ptr<detail::FolderLock> lockNewRunFolder(const RunFolder& run) {
    const fs::path& dir = run.root;
    std::error_code ec;
    auto refuse = [&] {
        return DataError(
            dir, "run folder already exists and is not empty (use resume, or another --out)");
    };
    if (fs::exists(dir, ec) && !(fs::is_directory(dir, ec) && fs::is_empty(dir, ec)))
        throw refuse();
    fs::create_directories(dir, ec);
    if (ec) throw DataError(dir, "cannot create the run folder: " + ec.message());
    auto lock = std::make_unique<detail::FolderLock>(dir);
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.path().filename() != run.lock().filename()) throw refuse();
    fs::create_directories(run.checkpoints(), ec);
    if (ec) throw DataError(dir, "cannot create the run folder: " + ec.message());
    return lock;
}

void writeConfig(const RunFolder& run, const TrainConfig& config) {
    const std::string text = config.toJson() + "\n";
    writeFileAtomically(run.config(), [&](std::ostream& out) { out << text; });
}

// The ranks of a data-parallel training meet here; null for a single process.
std::unique_ptr<detail::Communicator> meet(const World& world) {
    world.validate();
    if (!world.distributed()) return nullptr;
    return std::make_unique<detail::Communicator>(world);
}

// Runs `body`; when it fails, the other ranks learn why before they find this rank gone.
template <class Body>
TrainOutcome tellingOthers(detail::Communicator* comm, Body&& body) {
    try {
        return body();
    } catch (const std::exception& e) {
        if (comm) comm->reportFailure(e.what());
        throw;
    }
}

// What a killed training left in the run folder, told on the run's log channel.
void removeStaleTemporaries(const RunFolder& run, const TrainCallbacks& callbacks) {
    ProgressFn tell;
    if (callbacks.onLog)
        tell = [&](std::size_t, std::size_t, std::string_view note) {
            callbacks.onLog(std::string(note));
        };
    for (const fs::path& dir : {run.root, run.checkpoints()})
        detail::cleanStaleTemporaries(dir, tell);
}

}  // namespace

TrainOutcome startTraining(const fs::path& runDir, const TrainConfig& config,
                           const Catalog& catalog, const std::vector<SplitEntry>& split,
                           const fs::path& workspace, const std::stop_token& stop,
                           const TrainCallbacks& callbacks, const World& world) {
    TrainConfig cfg = config;
    cfg.dataCsv = fs::absolute(catalog.csvPath());
    if (catalog.imageDir()) cfg.dataImages = fs::absolute(*catalog.imageDir());
    cfg.worldSize = world.size;
    cfg.validate();
    cfg.validateSplit(split);
    cfg.validateCatalog(catalog);
    if (!catalog.imageDir()) throw DataError(catalog.csvPath(), "training needs the image folder");
    catalog.requireOutside(runDir, "run folder");
    const RunFolder run{runDir};
    const auto comm = meet(world);
    return tellingOthers(comm.get(), [&] {
        std::unique_ptr<detail::FolderLock> lock;
        if (world.leader()) {
            lock = lockNewRunFolder(run);
            writeConfig(run, cfg);
            writeSplitCsv(run.split(), split);
        }
        const detail::Session session{run, cfg, split, &catalog, workspace, &callbacks, comm.get()};
        return detail::TrainingLoop(session, stop).run(false);
    });
}

TrainOutcome resumeTraining(const fs::path& runDir, const fs::path& workspace,
                            std::optional<int> epochs, std::optional<double> minutes,
                            const std::stop_token& stop, const TrainCallbacks& callbacks,
                            const World& world) {
    const RunFolder run{runDir};
    TrainConfig cfg = loadRunConfig(runDir);
    std::error_code ec;
    if (!fs::exists(run.lastCheckpoint(), ec))
        throw DataError(run.lastCheckpoint(),
                        "no checkpoint to resume from (the run never finished an epoch)");
    const bool changed = epochs || minutes || cfg.worldSize != world.size;
    if (epochs || minutes) {
        cfg.epochs = epochs.value_or(0);
        cfg.minutes = minutes.value_or(0);
    }
    cfg.worldSize = world.size;
    cfg.validate();
    const auto comm = meet(world);
    return tellingOthers(comm.get(), [&] {
        std::unique_ptr<detail::FolderLock> lock;
        if (world.leader()) {
            lock = std::make_unique<detail::FolderLock>(runDir);
            removeStaleTemporaries(run, callbacks);
            if (changed) writeConfig(run, cfg);
        }
        const Catalog catalog = Catalog::open(CatalogSource{cfg.dataCsv, cfg.dataImages});
        cfg.validateCatalog(catalog);  // it may have lost a column since; before any decoding
        const detail::Session session{
            run, cfg, readSplitCsv(run.split()), &catalog, workspace, &callbacks, comm.get()};
        return detail::TrainingLoop(session, stop).run(true);
    });
}

}  // namespace gz
