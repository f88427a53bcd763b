#include "training/trainingmonitor.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QStringList>
#include <QTime>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "common/formcontrols.h"
#include "common/jobrunner.h"
#include "common/uiformat.h"
#include "common/uistyle.h"
#include "training/trainingfeed.h"

namespace gz::ui {

namespace {

constexpr int kRefreshMs = 250;
constexpr int kProgressSteps = 1000;

}  // namespace

TrainingMonitor::TrainingMonitor(const JobRunner* runner, QWidget* parent)
    : QWidget(parent), runner_(runner) {
    refreshTimer_ = new QTimer(this);
    refreshTimer_->setInterval(kRefreshMs);
    connect(refreshTimer_, &QTimer::timeout, this, &TrainingMonitor::refresh);

    status_ = makeTextLabel(QStringLiteral("trainingStatus"));
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
    connect(cancelButton_, &QPushButton::clicked, this, &TrainingMonitor::cancelRequested);
    auto* bar = new QHBoxLayout;
    bar->addWidget(progress_, 1);
    bar->addWidget(rate_);
    bar->addWidget(eta_);
    bar->addWidget(cancelButton_);

    curves_ = new CurvesView;
    curves_->setEmptyText(tr("No data yet\nTrain a run to see its curves"));
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

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(status_);
    layout->addLayout(bar);
    layout->addWidget(split, 1);
}

TrainingMonitor::~TrainingMonitor() = default;

TrainCallbacks TrainingMonitor::callbacks(const std::shared_ptr<TrainingFeed>& feed,
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
            formatDuration(p.etaSeconds).toStdString();
        progress(std::min(done, total), total, message);
    };
    cb.onEpoch = [feed](const EpochRecord& r) { feed->addEpoch(r); };
    cb.onLog = [feed](const std::string& line) { feed->addLog(QString::fromStdString(line)); };
    cb.onPrepare = [feed, progress](std::size_t done, std::size_t total, std::string_view message) {
        feed->setPrepare(done, total);
        if (progress) progress(done, total, message);
    };
    return cb;
}

void TrainingMonitor::follow(std::shared_ptr<TrainingFeed> feed, const QString& name,
                             bool continuing, const std::vector<EpochRecord>& earlier) {
    feed_ = std::move(feed);
    haveBatch_ = false;
    if (!continuing) live_ = {};
    live_.name = name;
    for (const EpochRecord& r : earlier) live_.addEpoch(r);
    curves_->setCurves(live_);
    curves_->clearReadout();
    progress_->setRange(0, 0);
    rate_->clear();
    eta_->clear();
    refreshTimer_->start();
}

void TrainingMonitor::jobEnded(bool finished) {
    refresh();
    refreshTimer_->stop();
    // The rate and ETA describe a running job only.
    rate_->clear();
    eta_->clear();
    if (progress_->maximum() == 0) progress_->setRange(0, kProgressSteps);
    if (finished) progress_->setValue(kProgressSteps);
}

void TrainingMonitor::setStatus(const QString& text, bool error) {
    setStatusText(status_, text, error ? StatusTone::Error : StatusTone::Normal);
}

QString TrainingMonitor::statusText() const {
    return status_->text();
}

QString TrainingMonitor::rateText() const {
    return QStringList{rate_->text(), eta_->text()}.join(QLatin1Char(' ')).trimmed();
}

void TrainingMonitor::appendLog(const QString& line) {
    QScrollBar* bar = log_->verticalScrollBar();
    const bool follow = bar->value() >= bar->maximum() - 2;
    log_->appendPlainText(QStringLiteral("%1  %2").arg(
        QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), line));
    if (follow) QTimer::singleShot(0, log_, [bar] { bar->setValue(bar->maximum()); });
}

void TrainingMonitor::setCancelEnabled(bool enabled) {
    cancelButton_->setEnabled(enabled);
}

void TrainingMonitor::refresh() {
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
        haveBatch_ = true;
        const BatchProgress& p = u.batches.back();
        double fraction = 0;
        if (p.epochs > 0)
            fraction =
                (p.epoch - 1 + static_cast<double>(p.batch) / std::max(1, p.batches)) / p.epochs;
        else if (p.etaSeconds >= 0)
            fraction = p.elapsedSeconds / std::max(1e-9, p.elapsedSeconds + p.etaSeconds);
        progress_->setRange(0, kProgressSteps);
        progress_->setValue(static_cast<int>(std::clamp(fraction, 0.0, 1.0) * kProgressSteps));
        rate_->setText(tr("%1 images/s").arg(p.imagesPerSecond, 0, 'f', 0));
        eta_->setText(tr("ETA %1").arg(formatDuration(p.etaSeconds)));
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
    if (!u.epochs.empty()) emit epochsAdded();
}

}  // namespace gz::ui
