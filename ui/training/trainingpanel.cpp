#include "training/trainingpanel.h"

#include <QCoreApplication>
#include <QDir>
#include <QFrame>
#include <QHBoxLayout>
#include <QScrollArea>
#include <QVBoxLayout>

#include <system_error>
#include <utility>

#include "augmentation/augmentationsettings.h"
#include "common/jobrunner.h"
#include "common/uiformat.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/preprocess.h"
#include "gz/run_folder.h"
#include "training/partitionbox.h"
#include "training/preprocessbox.h"
#include "training/trainingfeed.h"
#include "training/trainingform.h"
#include "training/trainingmonitor.h"

namespace gz::ui {
namespace fs = std::filesystem;

namespace {

// "run-3 finished 39 epochs in 2m30s; test accuracy 86.9%." for the status line.
QString finishedSentence(const QString& name, const TrainOutcome& result) {
    const int epochs = result.epochsCompleted;
    QString text =
        epochs == 1 ? QCoreApplication::translate("TrainingPanel", "%1 finished 1 epoch").arg(name)
                    : QCoreApplication::translate("TrainingPanel", "%1 finished %2 epochs")
                          .arg(name)
                          .arg(epochs);
    if (!result.history.empty())
        text += QCoreApplication::translate("TrainingPanel", " in %1")
                    .arg(formatDuration(result.history.back().elapsedSeconds));
    if (result.test)
        text += QCoreApplication::translate("TrainingPanel", "; test accuracy %1%")
                    .arg(100.0 * result.test->accuracy, 0, 'f', 1);
    return text + QLatin1Char('.');
}

QString fromStd(const std::string& s) {
    return QString::fromStdString(s);
}

bool hasCheckpoint(const fs::path& run) {
    std::error_code ec;
    return !run.empty() && fs::exists(RunFolder{run}.lastCheckpoint(), ec);
}

}  // namespace

TrainingPanel::TrainingPanel(JobRunner* runner, fs::path workspace,
                             AugmentationSettings* augmentation, QWidget* parent)
    : QWidget(parent),
      runner_(runner),
      workspace_(std::move(workspace)),
      augmentation_(augmentation) {
    setObjectName(QStringLiteral("trainingPanel"));

    auto* launcher = new QScrollArea;
    launcher->setWidget(createLauncher());
    launcher->setWidgetResizable(true);
    launcher->setFrameShape(QFrame::NoFrame);
    launcher->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    launcher->setFixedWidth(launcher->widget()->sizeHint().width() + 24);

    monitor_ = new TrainingMonitor(runner_);
    connect(monitor_, &TrainingMonitor::cancelRequested, this, &TrainingPanel::cancel);
    connect(monitor_, &TrainingMonitor::epochsAdded, this, &TrainingPanel::runsChanged);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addWidget(launcher);
    layout->addWidget(monitor_, 1);

    connect(runner_, &JobRunner::started, this, &TrainingPanel::updateButtons);
    connect(runner_, &JobRunner::finished, this, &TrainingPanel::updateButtons);
    setDataset(nullptr);
}

TrainingPanel::~TrainingPanel() = default;

QWidget* TrainingPanel::createLauncher() {
    partitionBox_ = new PartitionBox;
    connect(partitionBox_, &PartitionBox::partitionRequested, this, &TrainingPanel::partition);
    preprocessBox_ = new PreprocessBox;
    connect(preprocessBox_, &PreprocessBox::preprocessRequested, this, &TrainingPanel::preprocess);
    form_ = new TrainingForm;
    connect(form_, &TrainingForm::trainRequested, this, &TrainingPanel::train);
    connect(form_, &TrainingForm::resumeRequested, this, &TrainingPanel::resumeLast);

    auto* w = new QWidget;
    auto* layout = new QVBoxLayout(w);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(partitionBox_);
    layout->addWidget(preprocessBox_);
    layout->addWidget(form_);
    layout->addStretch(1);
    return w;
}

void TrainingPanel::setDataset(std::shared_ptr<const LoadedDataset> dataset) {
    dataset_ = std::move(dataset);
    split_.reset();
    splitFile_.clear();
    partitionBox_->showSplit(nullptr, {});
    if (dataset_)
        preprocessBox_->setOutputFolder(workspace_ / "preprocessed" /
                                        toPath(dataset_->location.displayName()));
    monitor_->setStatus(
        dataset_ ? tr("Partition %1 to train on it.").arg(dataset_->location.displayName())
                 : tr("Open a data set to partition, preprocess and train."));
    if (dataset_) reloadLastSplit();
    updateButtons();
}

void TrainingPanel::reloadLastSplit() {
    const auto saved = latestSplitFile(workspace_, dataset_->location.displayName().toStdString());
    if (!saved) return;
    const QString file = toQString(saved->file);
    try {
        const LabelRules rules = labelRulesForTraining();
        auto split = std::make_shared<const std::vector<SplitEntry>>(readSplitCsv(saved->file));
        if (!splitFitsLabeling(*split, dataset_->catalog, labelCatalog(dataset_->catalog, rules))) {
            monitor_->setStatus(
                tr("The last partition (%1) was made with other label rules or data: partition "
                   "again.")
                    .arg(file));
            return;
        }
        split_ = std::move(split);
        splitRules_ = rules;
        splitFile_ = saved->file;
    } catch (const DataError& e) {
        monitor_->setStatus(tr("The last partition could not be read: %1").arg(fromStd(e.what())),
                            true);
        return;
    }
    partitionBox_->setSettings(saved->ratios, saved->seed);
    partitionBox_->showSplit(split_.get(), splitFile_);
    emit splitMade(*split_, file);
    monitor_->setStatus(tr("Took up the last partition of %1: preprocess (optional) or train.")
                            .arg(dataset_->location.displayName()));
    monitor_->appendLog(tr("split read from %1").arg(file));
}

void TrainingPanel::setRulesSource(std::function<LabelRules()> source) {
    rulesSource_ = std::move(source);
}

LabelRules TrainingPanel::labelRulesForTraining() const {
    if (rulesSource_) return rulesSource_();
    return dataset_ ? dataset_->rules : LabelRules::defaults();
}

const RunCurves& TrainingPanel::liveCurves() const {
    return monitor_->liveCurves();
}

CurvesView* TrainingPanel::curves() const {
    return monitor_->curves();
}

QString TrainingPanel::statusText() const {
    return monitor_->statusText();
}

bool TrainingPanel::refuseWhenBusy() {
    if (!runner_->isRunning()) return false;
    monitor_->setStatus(tr("Busy: %1. Wait for it or cancel it first.").arg(runner_->title()),
                        true);
    return true;
}

void TrainingPanel::updateButtons() {
    const bool busy = runner_->isRunning();
    const bool images = dataset_ && dataset_->catalog.imageDir().has_value();
    partitionBox_->setPartitionEnabled(
        !busy && dataset_,
        dataset_ ? tr("Label with the rules and split each class") : tr("Open a data set first"));
    const QString needs = !dataset_ ? tr("Open a data set first")
                          : !images ? tr("This data set has no image folder")
                          : !split_ ? tr("Partition first")
                                    : QString();
    preprocessBox_->setPreprocessEnabled(!busy && needs.isEmpty(),
                                         needs.isEmpty() ? tr("Build the decoded cache") : needs);
    form_->setTrainEnabled(!busy && needs.isEmpty(),
                           needs.isEmpty() ? tr("Start a new run in the workspace") : needs);
    const bool resumable =
        hasCheckpoint(currentRun_) && lastStatus_ && *lastStatus_ == TrainOutcome::Status::Stopped;
    form_->setResumeEnabled(!busy && resumable);
    monitor_->setCancelEnabled(busy && !runner_->stopRequested());
}

// --- partition ------------------------------------------------------------------------------

bool TrainingPanel::partition() {
    if (refuseWhenBusy()) return false;
    if (!dataset_) {
        monitor_->setStatus(tr("Open a data set first."), true);
        return false;
    }
    struct Result {
        std::vector<SplitEntry> split;
        fs::path file;
    };
    auto result = std::make_shared<Result>();
    const auto dataset = dataset_;
    const LabelRules rules = labelRulesForTraining();
    const SplitRatios ratios = partitionBox_->ratios();
    const std::uint64_t seed = partitionBox_->seed();
    const fs::path file =
        splitFileName(workspace_, dataset->location.displayName().toStdString(), ratios, seed);
    const bool started = runner_->start(
        tr("Partitioning"),
        [=](const std::stop_token& stop, const ProgressFn& progress) {
            result->split = partitionDataset(dataset->catalog, rules, ratios, seed, stop, progress);
            dataset->catalog.requireOutside(file, "workspace");
            writeSplitCsv(file, result->split);
            result->file = file;
        },
        [this, result, rules, dataset](const JobOutcome& outcome) {
            if (dataset != dataset_) return;
            if (outcome.status == JobOutcome::Status::Succeeded) {
                split_ = std::make_shared<const std::vector<SplitEntry>>(std::move(result->split));
                splitRules_ = rules;
                splitFile_ = result->file;
                partitionBox_->showSplit(split_.get(), splitFile_);
                emit splitMade(*split_, toQString(splitFile_));
                monitor_->setStatus(tr("Partitioned: preprocess (optional) or train."));
                monitor_->appendLog(tr("split written to %1").arg(toQString(splitFile_)));
            } else if (outcome.status == JobOutcome::Status::Failed) {
                monitor_->setStatus(tr("Partition failed: %1").arg(outcome.error), true);
                monitor_->appendLog(tr("partition failed: %1").arg(outcome.error));
            } else {
                monitor_->setStatus(tr("Partition cancelled."));
            }
            updateButtons();
        });
    if (!started) refuseWhenBusy();
    return started;
}

void TrainingPanel::labelRulesChanged() {
    if (!split_ || labelRulesForTraining() == splitRules_) return;
    split_.reset();
    splitFile_.clear();
    partitionBox_->showSplit(nullptr, {});
    monitor_->setStatus(tr("The label rules changed: partition again to train with them."));
    updateButtons();
}

// --- preprocess -----------------------------------------------------------------------------

bool TrainingPanel::preprocess() {
    if (refuseWhenBusy()) return false;
    if (!dataset_ || !split_) {
        monitor_->setStatus(tr("Partition first."), true);
        return false;
    }
    PreprocessOptions options = preprocessBox_->options();
    if (options.outDir.empty()) {
        monitor_->setStatus(tr("Choose an output folder for preprocess.json (and the .npy files)."),
                            true);
        return false;
    }
    options.workspace = workspace_;
    options.seed = form_->config().seed;
    options.params = augmentation_->params();
    options.splitFile = splitFile_;
    auto report = std::make_shared<PreprocessReport>();
    const auto dataset = dataset_;
    const auto split = split_;
    const bool started = runner_->start(
        tr("Preprocessing"),
        [=](const std::stop_token& stop, const ProgressFn& progress) {
            *report = runPreprocess(dataset->catalog, *split, options, stop, progress);
        },
        [this, report, options](const JobOutcome& outcome) {
            if (outcome.status == JobOutcome::Status::Succeeded) {
                const PreprocessReport& r = *report;
                QString text =
                    tr("%1. Cache %2 in %3 s (%4 MB).")
                        .arg(fromStd(r.summary.text(0)), r.cacheReused ? tr("reused") : tr("built"))
                        .arg(r.cacheSeconds, 0, 'f', 1)
                        .arg(static_cast<double>(r.cacheBytes) / 1e6, 0, 'f', 1);
                if (!r.npyFiles.empty()) text += tr(" Wrote %1 .npy files.").arg(r.npyFiles.size());
                text += tr(" Summary: %1").arg(QDir::toNativeSeparators(toQString(r.jsonFile)));
                preprocessBox_->showResult(text);
                monitor_->setStatus(tr("Preprocessed in %1 s.").arg(r.seconds, 0, 'f', 1));
                monitor_->appendLog(tr("preprocess: %1").arg(fromStd(r.summary.text())));
                for (const auto& f : r.npyFiles)
                    monitor_->appendLog(tr("wrote %1").arg(toQString(f.file)));
            } else if (outcome.status == JobOutcome::Status::Failed) {
                preprocessBox_->showResult(outcome.error);
                monitor_->setStatus(tr("Preprocessing failed: %1").arg(outcome.error), true);
                monitor_->appendLog(tr("preprocess failed: %1").arg(outcome.error));
            } else {
                monitor_->setStatus(tr("Preprocessing cancelled; no file was written."));
                monitor_->appendLog(tr("preprocess cancelled"));
            }
        });
    if (!started) refuseWhenBusy();
    return started;
}

// --- train and resume -----------------------------------------------------------------------

TrainConfig TrainingPanel::trainingConfig() const {
    TrainConfig config = form_->config();
    config.augmentation = augmentation_->params();
    config.rules = labelRulesForTraining();
    return config;
}

bool TrainingPanel::train() {
    if (refuseWhenBusy()) return false;
    if (!dataset_ || !split_) {
        monitor_->setStatus(tr("Partition first."), true);
        return false;
    }
    if (!dataset_->catalog.imageDir()) {
        monitor_->setStatus(tr("%1 has no image folder: training needs the images.")
                                .arg(dataset_->location.displayName()),
                            true);
        return false;
    }
    TrainConfig config = trainingConfig();
    config.rules = splitRules_;
    try {
        config.validate();
        config.validateSplit(*split_);
        config.validateCatalog(dataset_->catalog);
    } catch (const DataError& e) {
        monitor_->setStatus(fromStd(e.what()), true);
        return false;
    }
    const QString model = fromStd(config.model);
    const fs::path run = newRunFolder(workspace_, config.model);
    const auto dataset = dataset_;
    const auto split = split_;
    const fs::path workspace = workspace_;
    return startTrainingJob(tr("Training %1").arg(model), run, false,
                            [=](const std::stop_token& stop, const TrainCallbacks& cb) {
                                return startTraining(run, config, dataset->catalog, *split,
                                                     workspace, stop, cb);
                            });
}

bool TrainingPanel::resumeLast() {
    return resume(currentRun_, form_->resumeEpochs());
}

bool TrainingPanel::resume(const fs::path& run, std::optional<int> epochs) {
    if (refuseWhenBusy()) return false;
    if (!hasCheckpoint(run)) {
        monitor_->setStatus(tr("%1 has no checkpoint to resume from.").arg(toQString(run)), true);
        return false;
    }
    // The form shows the settings the run goes on with.
    try {
        form_->setConfig(
            TrainConfig::fromJson(readWholeFile(RunFolder{run}.config()), RunFolder{run}.config()));
    } catch (const std::exception& e) {
        monitor_->appendLog(fromStd(e.what()));
    }
    const fs::path workspace = workspace_;
    return startTrainingJob(tr("Resuming %1").arg(toQString(run.filename())), run, true,
                            [=](const std::stop_token& stop, const TrainCallbacks& cb) {
                                return resumeTraining(run, workspace, epochs, std::nullopt, stop,
                                                      cb);
                            });
}

bool TrainingPanel::startTrainingJob(
    const QString& title, const fs::path& run, bool resuming,
    std::function<TrainOutcome(const std::stop_token&, const TrainCallbacks&)> job) {
    auto feed = std::make_shared<TrainingFeed>();
    auto result = std::make_shared<TrainOutcome>();
    const bool started = runner_->start(
        title,
        [feed, result, job = std::move(job)](const std::stop_token& stop,
                                             const ProgressFn& progress) {
            *result = job(stop, TrainingMonitor::callbacks(feed, progress));
        },
        [this, result, createdRun = !resuming](const JobOutcome& outcome) {
            trainingEnded(outcome, result, createdRun);
        });
    if (!started) {
        refuseWhenBusy();
        return false;
    }
    // Resuming the run just stopped here keeps its per-batch curves; it goes on from there.
    const bool continuing = resuming && run == currentRun_ && !monitor_->liveCurves().empty();
    training_ = true;
    currentRun_ = run;
    const QString name = toQString(run.filename());
    std::vector<EpochRecord> earlier;
    if (resuming) {
        // The curves so far, from the run's metrics.csv; the resumed epochs follow.
        std::error_code ec;
        const fs::path metrics = RunFolder{run}.metrics();
        if (fs::exists(metrics, ec)) try {
                earlier = readMetricsCsv(metrics);
            } catch (const DataError& e) {
                monitor_->appendLog(fromStd(e.what()));
            }
    }
    monitor_->follow(feed, name, continuing, earlier);
    monitor_->setStatus(resuming ? tr("Resuming %1…").arg(name)
                                 : tr("Starting %1 (preparing the images)…").arg(name));
    monitor_->appendLog(tr("%1: %2").arg(title, QDir::toNativeSeparators(toQString(run))));
    updateButtons();
    emit runsChanged();
    return true;
}

void TrainingPanel::cancel() {
    runner_->requestStop();
    if (training_)
        monitor_->setStatus(tr("Stopping after the current batch, then saving a checkpoint…"));
    updateButtons();
}

void TrainingPanel::trainingEnded(const JobOutcome& outcome,
                                  const std::shared_ptr<TrainOutcome>& result, bool createdRun) {
    monitor_->jobEnded(outcome.status == JobOutcome::Status::Succeeded &&
                       result->status == TrainOutcome::Status::Finished);
    training_ = false;
    const QString name = toQString(currentRun_.filename());
    lastStatus_.reset();
    switch (outcome.status) {
        case JobOutcome::Status::Succeeded:
            lastStatus_ = result->status;
            if (result->status == TrainOutcome::Status::Finished) {
                monitor_->setStatus(finishedSentence(name, *result));
            } else {
                monitor_->setStatus(tr("%1 stopped after %2 complete epochs; a "
                                       "checkpoint is saved: Resume "
                                       "continues it.")
                                        .arg(name)
                                        .arg(result->epochsCompleted));
            }
            monitor_->appendLog(fromStd(result->summary));
            break;
        case JobOutcome::Status::Cancelled:
            if (hasCheckpoint(currentRun_)) {
                lastStatus_ = TrainOutcome::Status::Stopped;
                monitor_->setStatus(
                    tr("%1 cancelled; its checkpoint is kept: Resume continues it.").arg(name));
            } else {
                monitor_->setStatus(tr("%1 cancelled before its first checkpoint.").arg(name));
            }
            break;
        case JobOutcome::Status::Failed:
            monitor_->setStatus(tr("%1 failed: %2").arg(name, outcome.error), true);
            monitor_->appendLog(tr("error: %1").arg(outcome.error));
            break;
    }
    // A new run that never reached a checkpoint holds only its config: nothing to resume or
    // compare, so it is not left behind as a half-made run.
    std::error_code ec;
    if (createdRun && outcome.status != JobOutcome::Status::Succeeded &&
        !hasCheckpoint(currentRun_) && isInsideFolder(currentRun_, runsFolder(workspace_)) &&
        fs::exists(currentRun_, ec)) {
        fs::remove_all(currentRun_, ec);
        monitor_->appendLog(
            ec ? tr("could not remove %1: %2")
                     .arg(toQString(currentRun_), QString::fromStdString(ec.message()))
               : tr("removed %1 (no checkpoint)").arg(toQString(currentRun_)));
    }
    updateButtons();
    emit runsChanged();
}

}  // namespace gz::ui
