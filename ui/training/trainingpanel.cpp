#include "training/trainingpanel.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>
#include <system_error>
#include <utility>

#include "augmentation/augmentationsettings.h"
#include "common/jobrunner.h"
#include "common/morphologycolors.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/models.h"
#include "gz/preprocess.h"
#include "training/runinfo.h"
#include "training/trainingfeed.h"

namespace gz::ui {
namespace fs = std::filesystem;

namespace {

constexpr int kRefreshMs = 250;
constexpr int kProgressSteps = 1000;

QString duration(double seconds) {
    if (!(seconds >= 0)) return QStringLiteral("?");
    const long s = std::lround(seconds);
    if (s >= 3600)
        return QStringLiteral("%1h%2m").arg(s / 3600).arg(s / 60 % 60, 2, 10, QChar('0'));
    return QStringLiteral("%1m%2s").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
}

QString fromStd(const std::string& s) {
    return QString::fromStdString(s);
}

QComboBox* combo(const QString& objectName, const QStringList& items,
                 const std::string& current = {}) {
    auto* c = new QComboBox;
    c->setObjectName(objectName);
    c->addItems(items);
    if (!current.empty()) c->setCurrentText(QString::fromStdString(current));
    return c;
}

QSpinBox* intSpin(const QString& objectName, int lo, int hi, int value) {
    auto* s = new QSpinBox;
    s->setObjectName(objectName);
    s->setRange(lo, hi);
    s->setValue(value);
    return s;
}

QDoubleSpinBox* realSpin(const QString& objectName, double lo, double hi, double value,
                         int decimals, double step) {
    auto* s = new QDoubleSpinBox;
    s->setObjectName(objectName);
    s->setRange(lo, hi);
    s->setDecimals(decimals);
    s->setSingleStep(step);
    s->setValue(value);
    return s;
}

bool hasCheckpoint(const fs::path& run) {
    std::error_code ec;
    return !run.empty() && fs::exists(run / "checkpoints" / "last.pt", ec);
}

// The training callbacks: everything into the feed; batches also as the runner's progress (the
// status bar) in steps of the whole run.
TrainCallbacks feedCallbacks(const std::shared_ptr<TrainingFeed>& feed,
                             const ProgressFn& progress) {
    TrainCallbacks cb;
    cb.onBatch = [feed, progress](const BatchProgress& p) {
        feed->addBatch(p);
        if (!progress) return;
        std::size_t done = 0, total = 0;
        if (p.epochs > 0) {
            total = static_cast<std::size_t>(p.epochs) * static_cast<std::size_t>(p.batches);
            done = static_cast<std::size_t>(p.epoch - 1) * static_cast<std::size_t>(p.batches) +
                   static_cast<std::size_t>(p.batch);
        } else if (p.etaSeconds >= 0) {
            total = kProgressSteps;
            done = static_cast<std::size_t>(kProgressSteps * p.elapsedSeconds /
                                            std::max(1e-9, p.elapsedSeconds + p.etaSeconds));
        }
        const std::string message =
            "epoch " + std::to_string(p.epoch) +
            (p.epochs ? "/" + std::to_string(p.epochs) : std::string()) + ", " +
            std::to_string(static_cast<int>(std::lround(p.imagesPerSecond))) + " images/s, ETA " +
            duration(p.etaSeconds).toStdString();
        progress(std::min(done, total), total, message);
    };
    cb.onEpoch = [feed](const EpochRecord& r) { feed->addEpoch(r); };
    cb.onLog = [feed](const std::string& line) { feed->addLog(fromStd(line)); };
    cb.onPrepare = [feed, progress](std::size_t done, std::size_t total, std::string_view message) {
        feed->setPrepare(done, total);
        if (progress) progress(done, total, message);
    };
    return cb;
}

}  // namespace

TrainingPanel::TrainingPanel(JobRunner* runner, fs::path workspace,
                             AugmentationSettings* augmentation, QWidget* parent)
    : QWidget(parent),
      runner_(runner),
      workspace_(std::move(workspace)),
      augmentation_(augmentation) {
    setObjectName(QStringLiteral("trainingPanel"));
    refreshTimer_ = new QTimer(this);
    refreshTimer_->setInterval(kRefreshMs);
    connect(refreshTimer_, &QTimer::timeout, this, &TrainingPanel::refreshLive);

    auto* launcher = new QScrollArea;
    launcher->setWidget(createLauncher());
    launcher->setWidgetResizable(true);
    launcher->setFrameShape(QFrame::NoFrame);
    launcher->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    launcher->setFixedWidth(launcher->widget()->sizeHint().width() + 24);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addWidget(launcher);
    layout->addWidget(createMonitor(), 1);

    connect(runner_, &JobRunner::started, this, &TrainingPanel::updateButtons);
    connect(runner_, &JobRunner::finished, this, &TrainingPanel::updateButtons);
    setDataset(nullptr);
}

TrainingPanel::~TrainingPanel() = default;

QWidget* TrainingPanel::createLauncher() {
    auto* w = new QWidget;

    // 1. Partition.
    auto* splitBox = new QGroupBox(tr("1. Partition"));
    trainRatio_ = realSpin(QStringLiteral("trainRatioSpin"), 0.01, 1, 0.8, 2, 0.05);
    valRatio_ = realSpin(QStringLiteral("valRatioSpin"), 0, 0.99, 0.1, 2, 0.05);
    testRatio_ = realSpin(QStringLiteral("testRatioSpin"), 0, 0.99, 0.1, 2, 0.05);
    splitSeed_ = intSpin(QStringLiteral("splitSeedSpin"), 0, std::numeric_limits<int>::max(), 42);
    partitionButton_ = new QPushButton(tr("Partition"));
    partitionButton_->setObjectName(QStringLiteral("partitionButton"));
    connect(partitionButton_, &QPushButton::clicked, this, &TrainingPanel::partition);
    auto* ratios = new QHBoxLayout;
    ratios->addWidget(trainRatio_);
    ratios->addWidget(valRatio_);
    ratios->addWidget(testRatio_);
    splitTable_ = new QTableWidget(kMorphologyCount + 1, 3);
    splitTable_->setObjectName(QStringLiteral("splitTable"));
    splitTable_->setHorizontalHeaderLabels({tr("Train"), tr("Val"), tr("Test")});
    QStringList rows;
    for (int l = 0; l < kMorphologyCount; ++l) rows << morphologyShortName(l);
    rows << tr("All");
    splitTable_->setVerticalHeaderLabels(rows);
    for (int l = 0; l < kMorphologyCount; ++l)
        splitTable_->verticalHeaderItem(l)->setIcon(morphologySwatch(l));
    splitTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    splitTable_->setSelectionMode(QAbstractItemView::NoSelection);
    splitTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    splitTable_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    splitTable_->setFixedHeight(
        splitTable_->horizontalHeader()->sizeHint().height() +
        (kMorphologyCount + 1) * splitTable_->verticalHeader()->defaultSectionSize() + 4);
    splitTable_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    splitInfo_ = new QLabel;
    splitInfo_->setObjectName(QStringLiteral("splitInfo"));
    splitInfo_->setWordWrap(true);
    splitInfo_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* splitGrid = new QGridLayout(splitBox);
    splitGrid->addWidget(new QLabel(tr("Train / val / test")), 0, 0);
    splitGrid->addLayout(ratios, 0, 1, 1, 3);
    splitGrid->addWidget(new QLabel(tr("Seed")), 1, 0);
    splitGrid->addWidget(splitSeed_, 1, 1);
    splitGrid->addWidget(partitionButton_, 1, 2, 1, 2);
    splitGrid->addWidget(splitTable_, 2, 0, 1, 4);
    splitGrid->addWidget(splitInfo_, 3, 0, 1, 4);

    // 2. Preprocess.
    auto* preBox = new QGroupBox(tr("2. Preprocess (optional: training builds the cache too)"));
    outputFolder_ = new QLineEdit;
    outputFolder_->setObjectName(QStringLiteral("preprocessOutputEdit"));
    auto* browse = new QPushButton(tr("…"));
    browse->setMaximumWidth(32);
    connect(browse, &QPushButton::clicked, this, &TrainingPanel::chooseOutputFolder);
    auto* outRow = new QHBoxLayout;
    outRow->addWidget(outputFolder_, 1);
    outRow->addWidget(browse);
    npy_ = new QCheckBox(tr("Also export the eight .npy files"));
    npy_->setObjectName(QStringLiteral("npyCheck"));
    copies_ = intSpin(QStringLiteral("copiesSpin"), 1, 64, kStructuredCopies);
    copies_->setToolTip(tr("Augmented copies per training image in Training_images_Preprocess2"));
    preprocessThreads_ =
        intSpin(QStringLiteral("preprocessThreadsSpin"), 1, 64, QThread::idealThreadCount());
    preprocessButton_ = new QPushButton(tr("Preprocess"));
    preprocessButton_->setObjectName(QStringLiteral("preprocessButton"));
    connect(preprocessButton_, &QPushButton::clicked, this, &TrainingPanel::preprocess);
    preprocessInfo_ = new QLabel;
    preprocessInfo_->setObjectName(QStringLiteral("preprocessInfo"));
    preprocessInfo_->setWordWrap(true);
    preprocessInfo_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    npy_->setText(tr("Export .npy files"));
    auto* preGrid = new QGridLayout(preBox);
    preGrid->addWidget(new QLabel(tr("Output folder")), 0, 0);
    preGrid->addLayout(outRow, 0, 1, 1, 3);
    preGrid->addWidget(npy_, 1, 0, 1, 2);
    preGrid->addWidget(new QLabel(tr("Copies")), 1, 2);
    preGrid->addWidget(copies_, 1, 3);
    preGrid->addWidget(new QLabel(tr("Threads")), 2, 0);
    preGrid->addWidget(preprocessThreads_, 2, 1);
    preGrid->addWidget(preprocessButton_, 2, 2, 1, 2);
    preGrid->addWidget(preprocessInfo_, 3, 0, 1, 4);

    // 3. Train.
    auto* trainBox = new QGroupBox(tr("3. Train"));
    QStringList models;
    for (const auto& m : availableModels()) models << fromStd(m);
    model_ = combo(QStringLiteral("modelCombo"), models);
    model_->setToolTip(
        tr("compact: 1.2M parameters, for CPUs; resnet26: the paper's network "
           "(55.7M); bench-resnet: the 4.4M reference benchmark network"));
    byEpochs_ = new QRadioButton(tr("Epochs"));
    byEpochs_->setObjectName(QStringLiteral("byEpochsRadio"));
    byMinutes_ = new QRadioButton(tr("Minutes"));
    byMinutes_->setObjectName(QStringLiteral("byMinutesRadio"));
    byEpochs_->setChecked(true);
    auto* limitGroup = new QButtonGroup(w);
    limitGroup->addButton(byEpochs_);
    limitGroup->addButton(byMinutes_);
    epochs_ = intSpin(QStringLiteral("epochsSpin"), 1, 100000, 30);
    minutes_ = realSpin(QStringLiteral("minutesSpin"), 0.05, 100000, 5, 2, 1);
    minutes_->setEnabled(false);
    connect(byEpochs_, &QRadioButton::toggled, this, [this](bool on) {
        epochs_->setEnabled(on);
        minutes_->setEnabled(!on);
    });
    const TrainConfig d;  // the engine's defaults, the same as galaxy-cli train's
    batch_ = intSpin(QStringLiteral("batchSpin"), 1, 4096, d.batch);
    lr_ = realSpin(QStringLiteral("learningRateSpin"), 0.00001, 10, d.lr, 5, 0.01);
    schedule_ = combo(
        QStringLiteral("scheduleCombo"),
        {QStringLiteral("cosine"), QStringLiteral("step"), QStringLiteral("constant")}, d.schedule);
    schedule_->setToolTip(tr("step: the paper's, ÷10 every 30,000 steps"));
    warmup_ = realSpin(QStringLiteral("warmupSpin"), 0, 1000, d.warmupEpochs, 1, 1);
    warmup_->setToolTip(tr("Linear warm-up from lr/10, in epochs"));
    balance_ = combo(QStringLiteral("balanceCombo"),
                     {QStringLiteral("sqrt"), QStringLiteral("none"), QStringLiteral("sample"),
                      QStringLiteral("weight")},
                     d.balance);
    balance_->setToolTip(
        tr("sqrt: weight the loss by 1/sqrt(class share); weight: by 1/share; sample: draw "
           "classes equally; none: every image alike"));
    patience_ = intSpin(QStringLiteral("patienceSpin"), 0, 10000, d.earlyStopPatience);
    patience_->setSpecialValueText(tr("off"));
    patience_->setToolTip(tr("Early stopping: epochs without a better validation metric"));
    select_ =
        combo(QStringLiteral("selectCombo"),
              {QStringLiteral("macro_f1"), QStringLiteral("accuracy"), QStringLiteral("loss")},
              d.selectMetric);
    threads_ = intSpin(QStringLiteral("threadsSpin"), 1, 256, QThread::idealThreadCount());
    trainSeed_ = intSpin(QStringLiteral("trainSeedSpin"), 0, std::numeric_limits<int>::max(),
                         static_cast<int>(d.seed));
    tta_ = new QCheckBox(tr("Test-time augmentation in the final evaluation"));
    tta_->setObjectName(QStringLiteral("ttaCheck"));
    tta_->setChecked(d.tta);
    trainButton_ = new QPushButton(tr("Train"));
    trainButton_->setObjectName(QStringLiteral("trainButton"));
    connect(trainButton_, &QPushButton::clicked, this, &TrainingPanel::train);
    resumeEpochs_ = intSpin(QStringLiteral("resumeEpochsSpin"), 0, 100000, 0);
    resumeEpochs_->setSpecialValueText(tr("as set"));
    resumeEpochs_->setToolTip(
        tr("Epochs in all for the resumed run (\"as set\": the run's own "
           "limit)"));
    resumeButton_ = new QPushButton(tr("Resume"));
    resumeButton_->setObjectName(QStringLiteral("resumeButton"));
    resumeButton_->setToolTip(tr("Continue the last run from its checkpoint"));
    connect(resumeButton_, &QPushButton::clicked, this, &TrainingPanel::resumeLast);
    auto* resumeRow = new QHBoxLayout;
    resumeRow->addWidget(resumeButton_);
    resumeRow->addWidget(new QLabel(tr("epochs in all")));
    resumeRow->addWidget(resumeEpochs_);
    tta_->setText(tr("Test-time augmentation"));
    tta_->setToolTip(tr("Average the final evaluation over the 8 rotations and flips"));
    auto* trainGrid = new QGridLayout(trainBox);
    int row = 0;
    const auto pairRow = [&](const QString& a, QWidget* wa, const QString& b, QWidget* wb) {
        trainGrid->addWidget(new QLabel(a), row, 0);
        trainGrid->addWidget(wa, row, 1);
        if (wb) {
            trainGrid->addWidget(new QLabel(b), row, 2);
            trainGrid->addWidget(wb, row, 3);
        }
        ++row;
    };
    trainGrid->addWidget(new QLabel(tr("Model")), row, 0);
    trainGrid->addWidget(model_, row++, 1, 1, 3);
    trainGrid->addWidget(byEpochs_, row, 0);
    trainGrid->addWidget(epochs_, row, 1);
    trainGrid->addWidget(byMinutes_, row, 2);
    trainGrid->addWidget(minutes_, row++, 3);
    pairRow(tr("Batch"), batch_, tr("Learning rate"), lr_);
    pairRow(tr("Schedule"), schedule_, tr("Warm-up"), warmup_);
    pairRow(tr("Balance"), balance_, tr("Early stop"), patience_);
    pairRow(tr("Best by"), select_, tr("Threads"), threads_);
    pairRow(tr("Seed"), trainSeed_, {}, nullptr);
    trainGrid->addWidget(tta_, row - 1, 2, 1, 2);
    trainGrid->addWidget(trainButton_, row++, 0, 1, 4);
    trainGrid->addLayout(resumeRow, row++, 0, 1, 4);
    trainGrid->setColumnStretch(1, 1);
    trainGrid->setColumnStretch(3, 1);

    auto* layout = new QVBoxLayout(w);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitBox);
    layout->addWidget(preBox);
    layout->addWidget(trainBox);
    layout->addStretch(1);
    return w;
}

QWidget* TrainingPanel::createMonitor() {
    auto* w = new QWidget;
    status_ = new QLabel;
    status_->setObjectName(QStringLiteral("trainingStatus"));
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    progress_ = new QProgressBar;
    progress_->setObjectName(QStringLiteral("trainingProgressBar"));
    progress_->setRange(0, kProgressSteps);
    progress_->setValue(0);
    rate_ = new QLabel;
    rate_->setObjectName(QStringLiteral("imagesPerSecondLabel"));
    eta_ = new QLabel;
    eta_->setObjectName(QStringLiteral("etaLabel"));
    cancelButton_ = new QPushButton(tr("Cancel"));
    cancelButton_->setObjectName(QStringLiteral("trainingCancelButton"));
    cancelButton_->setToolTip(
        tr("Stop the job; training saves a checkpoint that Resume continues"));
    connect(cancelButton_, &QPushButton::clicked, this, &TrainingPanel::cancel);
    auto* bar = new QHBoxLayout;
    bar->addWidget(progress_, 1);
    bar->addWidget(rate_);
    bar->addWidget(eta_);
    bar->addWidget(cancelButton_);

    curves_ = new CurvesView;
    log_ = new QPlainTextEdit;
    log_->setObjectName(QStringLiteral("trainingLog"));
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(5000);
    log_->setLineWrapMode(QPlainTextEdit::NoWrap);
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::Monospace);
    mono.setPointSizeF(font().pointSizeF() * 0.9);
    log_->setFont(mono);

    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(curves_);
    split->addWidget(log_);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    log_->setMinimumHeight(fontMetrics().height() * 6);

    auto* layout = new QVBoxLayout(w);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(status_);
    layout->addLayout(bar);
    layout->addWidget(split, 1);
    return w;
}

void TrainingPanel::setDataset(std::shared_ptr<const LoadedDataset> dataset) {
    dataset_ = std::move(dataset);
    split_.reset();
    splitFile_.clear();
    showSplit();
    if (dataset_)
        outputFolder_->setText(QDir::toNativeSeparators(
            toQString(workspace_ / "preprocessed" / toPath(dataset_->location.displayName()))));
    setStatus(dataset_ ? tr("Partition %1 to train on it.").arg(dataset_->location.displayName())
                       : tr("Open a data set to partition, preprocess and train."));
    updateButtons();
}

void TrainingPanel::setRulesSource(std::function<LabelRules()> source) {
    rulesSource_ = std::move(source);
}

LabelRules TrainingPanel::labelRulesForTraining() const {
    if (rulesSource_) return rulesSource_();
    return dataset_ ? dataset_->rules : LabelRules::defaults();
}

QString TrainingPanel::statusText() const {
    return status_->text();
}

void TrainingPanel::setStatus(const QString& text, bool error) {
    status_->setText(text);
    status_->setStyleSheet(error ? QStringLiteral("color: #b42318; font-weight: bold;")
                                 : QStringLiteral("color: #1f2937;"));
}

void TrainingPanel::appendLog(const QString& line) {
    // Follows the end unless the user scrolled up to read.
    QScrollBar* bar = log_->verticalScrollBar();
    const bool follow = bar->value() >= bar->maximum() - 2;
    log_->appendPlainText(QStringLiteral("%1  %2").arg(
        QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), line));
    if (follow) QTimer::singleShot(0, log_, [bar] { bar->setValue(bar->maximum()); });
}

bool TrainingPanel::refuseWhenBusy() {
    if (!runner_->isRunning()) return false;
    setStatus(tr("Busy: %1. Wait for it or cancel it first.").arg(runner_->title()), true);
    return true;
}

void TrainingPanel::updateButtons() {
    const bool busy = runner_->isRunning();
    const bool images = dataset_ && dataset_->catalog.imageDir().has_value();
    partitionButton_->setEnabled(!busy && dataset_);
    partitionButton_->setToolTip(dataset_ ? tr("Label with the rules and split each class")
                                          : tr("Open a data set first"));
    const QString needs = !dataset_ ? tr("Open a data set first")
                          : !images ? tr("This data set has no image folder")
                          : !split_ ? tr("Partition first")
                                    : QString();
    preprocessButton_->setEnabled(!busy && needs.isEmpty());
    preprocessButton_->setToolTip(needs.isEmpty() ? tr("Build the decoded cache") : needs);
    trainButton_->setEnabled(!busy && needs.isEmpty());
    trainButton_->setToolTip(needs.isEmpty() ? tr("Start a new run in the workspace") : needs);
    const bool resumable =
        hasCheckpoint(currentRun_) && lastStatus_ && *lastStatus_ == TrainOutcome::Status::Stopped;
    resumeButton_->setEnabled(!busy && resumable);
    cancelButton_->setEnabled(busy && !runner_->stopRequested());
}

// --- partition ------------------------------------------------------------------------------

bool TrainingPanel::partition() {
    if (refuseWhenBusy()) return false;
    if (!dataset_) {
        setStatus(tr("Open a data set first."), true);
        return false;
    }
    struct Result {
        std::vector<SplitEntry> split;
        fs::path file;
    };
    auto result = std::make_shared<Result>();
    const auto dataset = dataset_;
    const LabelRules rules = labelRulesForTraining();
    const SplitRatios ratios{trainRatio_->value(), valRatio_->value(), testRatio_->value()};
    const auto seed = static_cast<std::uint64_t>(splitSeed_->value());
    const fs::path file = workspace_ / "splits" /
                          toPath(QStringLiteral("%1-%2-%3-%4-seed%5.csv")
                                     .arg(dataset->location.displayName())
                                     .arg(ratios.train)
                                     .arg(ratios.val)
                                     .arg(ratios.test)
                                     .arg(seed));
    const bool started = runner_->start(
        tr("Partitioning"),
        [=](const std::stop_token& stop, const ProgressFn& progress) {
            ratios.validate();
            checkpoint(stop, progress, 0, 0, "Labeling");
            const std::vector<LabeledGalaxy> galaxies =
                labeledGalaxies(dataset->catalog, labelCatalog(dataset->catalog, rules));
            checkpoint(stop, progress, 0, 0, "Splitting");
            result->split = stratifiedSplit(galaxies, ratios, seed);
            if (result->split.empty()) throw DataError("no galaxy is labeled by the rules");
            if (dataset->catalog.containsPath(file))
                throw DataError(file, "is inside the data set; choose another workspace");
            writeSplitCsv(file, result->split);
            result->file = file;
        },
        [this, result, rules, dataset](const JobOutcome& outcome) {
            if (dataset != dataset_) return;
            if (outcome.status == JobOutcome::Status::Succeeded) {
                split_ = std::make_shared<const std::vector<SplitEntry>>(std::move(result->split));
                splitRules_ = rules;
                splitFile_ = result->file;
                showSplit();
                emit splitMade(*split_, toQString(splitFile_));
                setStatus(tr("Partitioned: preprocess (optional) or train."));
                appendLog(tr("split written to %1").arg(toQString(splitFile_)));
            } else if (outcome.status == JobOutcome::Status::Failed) {
                setStatus(tr("Partition failed: %1").arg(outcome.error), true);
                appendLog(tr("partition failed: %1").arg(outcome.error));
            } else {
                setStatus(tr("Partition cancelled."));
            }
            updateButtons();
        });
    if (!started) refuseWhenBusy();
    return started;
}

void TrainingPanel::showSplit() {
    std::array<std::array<std::size_t, 3>, kMorphologyCount + 1> counts{};
    if (split_)
        for (const SplitEntry& e : *split_) {
            ++counts[static_cast<std::size_t>(e.label)][static_cast<std::size_t>(e.subset)];
            ++counts[kMorphologyCount][static_cast<std::size_t>(e.subset)];
        }
    for (int r = 0; r <= kMorphologyCount; ++r)
        for (int c = 0; c < 3; ++c) {
            auto* item = new QTableWidgetItem(
                split_ ? QLocale().toString(static_cast<qulonglong>(counts[r][c])) : QString());
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            item->setData(Qt::UserRole, static_cast<qulonglong>(counts[r][c]));
            splitTable_->setItem(r, c, item);
        }
    splitInfo_->setText(split_
                            ? tr("%1 labeled galaxies; written to %2")
                                  .arg(QLocale().toString(static_cast<qulonglong>(split_->size())),
                                       QDir::toNativeSeparators(toQString(splitFile_)))
                            : tr("Not partitioned yet."));
}

void TrainingPanel::labelRulesChanged() {
    if (!split_ || labelRulesForTraining() == splitRules_) return;
    split_.reset();
    splitFile_.clear();
    showSplit();
    setStatus(tr("The label rules changed: partition again to train with them."));
    updateButtons();
}

// --- preprocess -----------------------------------------------------------------------------

void TrainingPanel::chooseOutputFolder() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Preprocessing output folder"),
                                                          outputFolder_->text());
    if (!dir.isEmpty()) outputFolder_->setText(QDir::toNativeSeparators(dir));
}

bool TrainingPanel::preprocess() {
    if (refuseWhenBusy()) return false;
    if (!dataset_ || !split_) {
        setStatus(tr("Partition first."), true);
        return false;
    }
    if (outputFolder_->text().trimmed().isEmpty()) {
        setStatus(tr("Choose an output folder for preprocess.json (and the .npy files)."), true);
        return false;
    }
    PreprocessOptions options;
    options.outDir = toPath(QDir::fromNativeSeparators(outputFolder_->text().trimmed()));
    options.workspace = workspace_;
    options.npy = npy_->isChecked();
    options.copies = copies_->value();
    options.threads = preprocessThreads_->value();
    options.seed = static_cast<std::uint64_t>(trainSeed_->value());
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
                preprocessInfo_->setText(text);
                setStatus(tr("Preprocessed in %1 s.").arg(r.seconds, 0, 'f', 1));
                appendLog(tr("preprocess: %1").arg(fromStd(r.summary.text())));
                for (const auto& f : r.npyFiles) appendLog(tr("wrote %1").arg(toQString(f.file)));
            } else if (outcome.status == JobOutcome::Status::Failed) {
                preprocessInfo_->setText(outcome.error);
                setStatus(tr("Preprocessing failed: %1").arg(outcome.error), true);
                appendLog(tr("preprocess failed: %1").arg(outcome.error));
            } else {
                setStatus(tr("Preprocessing cancelled; no file was written."));
                appendLog(tr("preprocess cancelled"));
            }
        });
    if (!started) refuseWhenBusy();
    return started;
}

// --- train and resume -----------------------------------------------------------------------

TrainConfig TrainingPanel::configFromForm() const {
    TrainConfig c;
    c.model = model_->currentText().toStdString();
    if (byEpochs_->isChecked())
        c.epochs = epochs_->value();
    else
        c.minutes = minutes_->value();
    c.batch = batch_->value();
    c.lr = lr_->value();
    c.schedule = schedule_->currentText().toStdString();
    c.warmupEpochs = warmup_->value();
    c.balance = balance_->currentText().toStdString();
    c.earlyStopPatience = patience_->value();
    c.selectMetric = select_->currentText().toStdString();
    c.threads = threads_->value();
    c.seed = static_cast<std::uint64_t>(trainSeed_->value());
    c.tta = tta_->isChecked();
    c.augmentation = augmentation_->params();
    c.rules = splitRules_;
    return c;
}

bool TrainingPanel::train() {
    if (refuseWhenBusy()) return false;
    if (!dataset_ || !split_) {
        setStatus(tr("Partition first."), true);
        return false;
    }
    if (!dataset_->catalog.imageDir()) {
        setStatus(tr("%1 has no image folder: training needs the images.")
                      .arg(dataset_->location.displayName()),
                  true);
        return false;
    }
    const TrainConfig config = configFromForm();
    try {
        config.validate();
    } catch (const DataError& e) {
        setStatus(fromStd(e.what()), true);
        return false;
    }
    const fs::path run = newRunFolder(workspace_, model_->currentText());
    const auto dataset = dataset_;
    const auto split = split_;
    const fs::path workspace = workspace_;
    return startTrainingJob(tr("Training %1").arg(model_->currentText()), run, false,
                            [=](const std::stop_token& stop, const TrainCallbacks& cb) {
                                return startTraining(run, config, dataset->catalog, *split,
                                                     workspace, stop, cb);
                            });
}

bool TrainingPanel::resumeLast() {
    const int epochs = resumeEpochs_->value();
    return resume(currentRun_, epochs > 0 ? std::optional(epochs) : std::nullopt);
}

bool TrainingPanel::resume(const fs::path& run, std::optional<int> epochs) {
    if (refuseWhenBusy()) return false;
    if (!hasCheckpoint(run)) {
        setStatus(tr("%1 has no checkpoint to resume from.").arg(toQString(run)), true);
        return false;
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
            *result = job(stop, feedCallbacks(feed, progress));
        },
        [this, result, createdRun = !resuming](const JobOutcome& outcome) {
            trainingEnded(outcome, result, createdRun);
        });
    if (!started) {
        refuseWhenBusy();
        return false;
    }
    // Resuming the run just stopped here keeps its per-batch curves; it goes on from there.
    const bool continuing = resuming && run == currentRun_ && !live_.empty();
    feed_ = feed;
    training_ = true;
    currentRun_ = run;
    haveBatch_ = false;
    if (!continuing) live_ = {};
    live_.name = toQString(run.filename());
    if (resuming) {
        // The curves so far, from the run's metrics.csv; the resumed epochs follow.
        std::error_code ec;
        if (fs::exists(run / "metrics.csv", ec)) try {
                for (const EpochRecord& r : readMetricsCsv(run / "metrics.csv")) live_.addEpoch(r);
            } catch (const DataError& e) {
                appendLog(fromStd(e.what()));
            }
    }
    curves_->setCurves(live_);
    progress_->setRange(0, 0);
    rate_->clear();
    eta_->clear();
    setStatus(resuming ? tr("Resuming %1…").arg(live_.name)
                       : tr("Starting %1 (preparing the images)…").arg(live_.name));
    appendLog(tr("%1: %2").arg(title, QDir::toNativeSeparators(toQString(run))));
    refreshTimer_->start();
    updateButtons();
    emit runsChanged();
    return true;
}

void TrainingPanel::cancel() {
    runner_->requestStop();
    if (training_) setStatus(tr("Stopping after the current batch, then saving a checkpoint…"));
    updateButtons();
}

void TrainingPanel::refreshLive() {
    if (!feed_) return;
    TrainingFeed::Update u = feed_->take();
    if (u.empty()) return;
    for (const QString& line : u.log) appendLog(line);
    if (u.prepare && u.batches.empty() && !haveBatch_) {
        const auto [done, total] = *u.prepare;
        progress_->setRange(0, total > 0 ? kProgressSteps : 0);
        if (total > 0)
            progress_->setValue(static_cast<int>(std::min(done, total) * kProgressSteps / total));
        setStatus(tr("Preparing the images: %1 of %2").arg(done).arg(total));
    }
    for (const BatchProgress& b : u.batches) live_.addBatch(b);
    for (const EpochRecord& e : u.epochs) live_.addEpoch(e);
    if (!u.batches.empty()) {
        lastBatch_ = u.batches.back();
        haveBatch_ = true;
        const BatchProgress& p = lastBatch_;
        double fraction = 0;
        if (p.epochs > 0)
            fraction =
                (p.epoch - 1 + static_cast<double>(p.batch) / std::max(1, p.batches)) / p.epochs;
        else if (p.etaSeconds >= 0)
            fraction = p.elapsedSeconds / std::max(1e-9, p.elapsedSeconds + p.etaSeconds);
        progress_->setRange(0, kProgressSteps);
        progress_->setValue(static_cast<int>(std::clamp(fraction, 0.0, 1.0) * kProgressSteps));
        rate_->setText(tr("%1 images/s").arg(p.imagesPerSecond, 0, 'f', 0));
        eta_->setText(tr("ETA %1").arg(duration(p.etaSeconds)));
        if (!runner_->stopRequested())
            setStatus(tr("%1: epoch %2%3, batch %4/%5 · loss %6 · accuracy %7")
                          .arg(live_.name)
                          .arg(p.epoch)
                          .arg(p.epochs > 0 ? QStringLiteral("/%1").arg(p.epochs) : QString())
                          .arg(p.batch)
                          .arg(p.batches)
                          .arg(p.loss, 0, 'f', 3)
                          .arg(p.accuracy, 0, 'f', 3));
    }
    if (!u.batches.empty() || !u.epochs.empty()) curves_->setCurves(live_);
    if (!u.epochs.empty()) emit runsChanged();
}

void TrainingPanel::trainingEnded(const JobOutcome& outcome,
                                  const std::shared_ptr<TrainOutcome>& result, bool createdRun) {
    refreshLive();
    refreshTimer_->stop();
    training_ = false;
    if (progress_->maximum() == 0) progress_->setRange(0, kProgressSteps);
    const QString name = toQString(currentRun_.filename());
    lastStatus_.reset();
    switch (outcome.status) {
        case JobOutcome::Status::Succeeded:
            lastStatus_ = result->status;
            if (result->status == TrainOutcome::Status::Finished) {
                progress_->setValue(kProgressSteps);
                setStatus(tr("%1 finished: %2").arg(name, fromStd(result->summary)));
            } else {
                setStatus(tr("%1 stopped after %2 complete epochs; a checkpoint is saved: Resume "
                             "continues it.")
                              .arg(name)
                              .arg(result->epochsCompleted));
            }
            appendLog(fromStd(result->summary));
            break;
        case JobOutcome::Status::Cancelled:
            if (hasCheckpoint(currentRun_)) {
                lastStatus_ = TrainOutcome::Status::Stopped;
                setStatus(
                    tr("%1 cancelled; its checkpoint is kept: Resume continues it.").arg(name));
            } else {
                setStatus(tr("%1 cancelled before its first checkpoint.").arg(name));
            }
            break;
        case JobOutcome::Status::Failed:
            setStatus(tr("%1 failed: %2").arg(name, outcome.error), true);
            appendLog(tr("error: %1").arg(outcome.error));
            break;
    }
    // A new run that never reached a checkpoint holds only its config: nothing to resume or
    // compare, so it is not left behind as a half-made run.
    std::error_code ec;
    if (createdRun && outcome.status != JobOutcome::Status::Succeeded &&
        !hasCheckpoint(currentRun_) && isInsideFolder(currentRun_, runsFolder(workspace_)) &&
        fs::exists(currentRun_, ec)) {
        fs::remove_all(currentRun_, ec);
        appendLog(ec ? tr("could not remove %1: %2")
                           .arg(toQString(currentRun_), QString::fromStdString(ec.message()))
                     : tr("removed %1 (no checkpoint)").arg(toQString(currentRun_)));
    }
    updateButtons();
    emit runsChanged();
}

}  // namespace gz::ui
