#include "training/runspanel.h"

#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <system_error>
#include <utility>

#include "common/formcontrols.h"
#include "common/uiformat.h"
#include "gz/files.h"
#include "gz/run_folder.h"
#include "training/curvesview.h"
#include "training/runsettingstable.h"

namespace gz::ui {
namespace fs = std::filesystem;

namespace {

enum Column { kName, kModel, kEpochs, kState, kBestVal, kTest, kColumns };

QString percent(double x) {
    return std::isfinite(x) ? QStringLiteral("%1 %").arg(100 * x, 0, 'f', 1) : QStringLiteral("–");
}

RunCurves curvesOf(const RunInfo& run) {
    RunCurves c;
    c.name = QString::fromStdString(run.name);
    for (const EpochRecord& r : run.epochs) c.addEpoch(r);
    c.bestEpoch = run.bestEpoch();
    return c;
}

QIcon swatch(const QColor& color) {
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawRect(0, 3, 12, 6);
    return QIcon(pixmap);
}

}  // namespace

RunsPanel::RunsPanel(fs::path workspace, QWidget* parent)
    : QWidget(parent), workspace_(std::move(workspace)) {
    setObjectName(QStringLiteral("runsPanel"));

    table_ = new QTableWidget(0, kColumns);
    table_->setObjectName(QStringLiteral("runsTable"));
    table_->setHorizontalHeaderLabels(
        {tr("Run"), tr("Model"), tr("Epochs"), tr("State"), tr("Best val acc"), tr("Test acc")});
    table_->verticalHeader()->hide();
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(kName, QHeaderView::Stretch);
    table_->setAlternatingRowColors(true);
    connect(table_, &QTableWidget::itemSelectionChanged, this, [this] {
        if (filling_) return;
        const int row = table_->currentRow();
        if (row >= 0 && row < static_cast<int>(runs_.size())) {
            shown_ = runs_[static_cast<std::size_t>(row)].dir;
            showSelected();
        }
    });

    auto* refreshButton = new QPushButton(tr("Refresh"));
    refreshButton->setObjectName(QStringLiteral("refreshRunsButton"));
    connect(refreshButton, &QPushButton::clicked, this, &RunsPanel::refresh);
    auto* openButton = new QPushButton(tr("Open Run Folder…"));
    openButton->setObjectName(QStringLiteral("openRunButton"));
    openButton->setToolTip(tr("A run made elsewhere, e.g. by galaxy-cli train --out"));
    connect(openButton, &QPushButton::clicked, this, &RunsPanel::chooseRunFolder);
    resume_ = new QPushButton(tr("Resume"));
    resume_->setObjectName(QStringLiteral("resumeRunButton"));
    resume_->setToolTip(tr("Continue this stopped run from its checkpoint (Training tab)"));
    connect(resume_, &QPushButton::clicked, this, [this] {
        if (canResume()) emit resumeRequested(*shown_);
    });
    evaluate_ = new QPushButton(tr("Evaluate"));
    evaluate_->setObjectName(QStringLiteral("evaluateRunButton"));
    evaluate_->setToolTip(
        tr("Evaluate this run's model and inspect its mistakes (Evaluation tab)"));
    connect(evaluate_, &QPushButton::clicked, this, [this] {
        if (shown_) emit evaluateRequested(*shown_);
    });
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(refreshButton);
    buttons->addWidget(openButton);
    buttons->addWidget(resume_);
    buttons->addWidget(evaluate_);
    buttons->addStretch(1);

    summary_ = makeTextLabel(QStringLiteral("runSummary"));

    curves_ = new CurvesView;
    curves_->setEmptyText(tr("No data yet\nSelect a run to see its curves"));
    settings_ = new RunSettingsTable;
    picker_ = new QListWidget;
    picker_->setObjectName(QStringLiteral("comparePicker"));
    picker_->setSelectionMode(QAbstractItemView::NoSelection);
    picker_->setTextElideMode(Qt::ElideMiddle);  // run names differ at their ends
    picker_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    picker_->setToolTip(
        tr("Tick runs to overlay their curves on the selected run's and compare their settings"));
    connect(picker_, &QListWidget::itemChanged, this, [this](QListWidgetItem* item) {
        if (filling_) return;
        setCompared(toPath(item->data(Qt::UserRole).toString()), item->checkState() == Qt::Checked);
    });
    auto* pickerBox = new QWidget;
    auto* pickerLayout = new QVBoxLayout(pickerBox);
    pickerLayout->setContentsMargins(0, 0, 0, 0);
    pickerLayout->addWidget(new QLabel(tr("Compare runs")));
    pickerLayout->addWidget(picker_, 1);
    config_ = new QPlainTextEdit;
    config_->setObjectName(QStringLiteral("runConfigView"));
    config_->setReadOnly(true);
    log_ = new QPlainTextEdit;
    log_->setObjectName(QStringLiteral("runLogView"));
    log_->setReadOnly(true);
    log_->setLineWrapMode(QPlainTextEdit::NoWrap);
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::Monospace);
    config_->setFont(mono);
    log_->setFont(mono);
    auto* tabs = new QTabWidget;
    tabs->setObjectName(QStringLiteral("runTabs"));
    auto* curvesSplit = new QSplitter(Qt::Horizontal);
    curvesSplit->addWidget(pickerBox);
    curvesSplit->addWidget(curves_);
    curvesSplit->setStretchFactor(0, 0);
    curvesSplit->setStretchFactor(1, 1);
    curvesSplit->setSizes({200, 800});
    tabs->addTab(curvesSplit, tr("Curves"));
    tabs->addTab(settings_, tr("Settings"));
    tabs->addTab(config_, tr("Config"));
    tabs->addTab(log_, tr("Log"));

    auto* top = new QWidget;
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addLayout(buttons);
    topLayout->addWidget(table_);
    auto* bottom = new QWidget;
    auto* bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    bottomLayout->addWidget(summary_);
    bottomLayout->addWidget(tabs, 1);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(top);
    split->addWidget(bottom);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addWidget(split);
    refresh();
}

void RunsPanel::refresh() {
    runs_ = listRuns(workspace_);
    for (const fs::path& dir : extra_)
        if (indexOf(dir) < 0) runs_.push_back(readRunInfo(dir));
    if (shown_ && indexOf(*shown_) < 0) shown_.reset();
    std::erase_if(compared_, [this](const fs::path& dir) { return indexOf(dir) < 0; });
    fillTable();
    showSelected();
}

int RunsPanel::indexOf(const fs::path& dir) const {
    for (std::size_t i = 0; i < runs_.size(); ++i) {
        std::error_code ec;
        if (runs_[i].dir == dir || fs::equivalent(runs_[i].dir, dir, ec))
            return static_cast<int>(i);
    }
    return -1;
}

void RunsPanel::fillTable() {
    filling_ = true;
    table_->setRowCount(static_cast<int>(runs_.size()));
    for (std::size_t i = 0; i < runs_.size(); ++i) {
        const RunInfo& r = runs_[i];
        const int row = static_cast<int>(i);
        const QString name = QString::fromStdString(r.name);
        const QString limit = r.config
                                  ? (r.config->epochs > 0 ? QString::number(r.config->epochs)
                                                          : tr("%1 min").arg(r.config->minutes))
                                  : QString();
        const QStringList cells = {
            name,
            r.config ? QString::fromStdString(r.config->model) : QString(),
            r.config ? QStringLiteral("%1 / %2").arg(r.epochs.size()).arg(limit) : QString(),
            active_ && r.dir == *active_ ? tr("training…") : QString::fromStdString(r.stateText()),
            percent(r.bestValAccuracy().value_or(std::nan(""))),
            r.testAccuracy ? percent(*r.testAccuracy) : QStringLiteral("–")};
        for (int c = 0; c < kColumns; ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            item->setToolTip(c == kName ? QDir::toNativeSeparators(toQString(r.dir))
                                        : QString::fromStdString(r.error));
            if (c >= kEpochs && c != kState)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            table_->setItem(row, c, item);
        }
    }
    const int shownRow = shown_ ? indexOf(*shown_) : -1;
    table_->clearSelection();
    if (shownRow >= 0) table_->selectRow(shownRow);
    filling_ = false;
    updateCompareMarks();
}

bool RunsPanel::isShown(const fs::path& dir) const {
    const int i = indexOf(dir);
    return i >= 0 && shown_ && i == indexOf(*shown_);
}

std::vector<fs::path> RunsPanel::drawnRuns() const {
    std::vector<fs::path> drawn;
    const auto add = [&](const fs::path& dir) {
        const int i = indexOf(dir);
        if (i < 0) return;
        for (const fs::path& d : drawn)
            if (indexOf(d) == i) return;
        drawn.push_back(runs_[static_cast<std::size_t>(i)].dir);
    };
    if (shown_) add(*shown_);
    if (drawn.empty()) return drawn;  // nothing to compare with
    for (const fs::path& dir : compared_) add(dir);
    return drawn;
}

// The run picker: the shown run always drawn (not a choice, so never compared with itself),
// the others as ticked, each drawn run with the colour it has in the plots.
void RunsPanel::updateCompareMarks() {
    const bool wasFilling = std::exchange(filling_, true);
    const std::vector<fs::path> drawn = drawnRuns();
    const int scroll = picker_->verticalScrollBar()->value();
    picker_->clear();
    for (const RunInfo& run : runs_) {
        const bool shown = isShown(run.dir);
        const auto at = std::find(drawn.begin(), drawn.end(), run.dir);
        auto* item = new QListWidgetItem(QString::fromStdString(run.name));
        item->setData(Qt::UserRole, toQString(run.dir));
        // The selected run cannot be unticked (or ticked twice): its box is no choice.
        item->setFlags(shown ? Qt::ItemIsEnabled : Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        if (shown) {
            QFont bold = item->font();
            bold.setBold(true);
            item->setFont(bold);
        }
        item->setCheckState(at != drawn.end() ? Qt::Checked : Qt::Unchecked);
        item->setToolTip(shown ? tr("%1: the selected run, always drawn").arg(item->text())
                               : tr("%1: tick to overlay its curves").arg(item->text()));
        if (at != drawn.end() && drawn.size() > 1)
            item->setIcon(swatch(runColor(static_cast<int>(at - drawn.begin()))));
        picker_->addItem(item);
    }
    picker_->verticalScrollBar()->setValue(scroll);
    filling_ = wasFilling;
}

const RunInfo* RunsPanel::shownRun() const {
    const int i = shown_ ? indexOf(*shown_) : -1;
    return i >= 0 ? &runs_[static_cast<std::size_t>(i)] : nullptr;
}

void RunsPanel::showSelected() {
    const RunInfo* run = shownRun();
    updateCompareMarks();
    if (!run) {
        summary_->setText(
            runs_.empty() ? tr("No runs yet in %1. Train one in the Training tab.")
                                .arg(QDir::toNativeSeparators(toQString(runsFolder(workspace_))))
                          : tr("Select a run to see its curves and config."));
        curves_->setRuns({});
        settings_->setRuns({});
        config_->clear();
        log_->clear();
        updateResume();
        return;
    }
    std::vector<RunCurves> curves;
    std::vector<const RunInfo*> drawn;
    for (const fs::path& dir : drawnRuns()) {
        drawn.push_back(&runs_[static_cast<std::size_t>(indexOf(dir))]);
        curves.push_back(curvesOf(*drawn.back()));
    }
    curves_->setRuns(curves);
    settings_->setRuns(drawn);
    QString summary = tr("<b>%1</b> · %2 · %3 epochs · %4")
                          .arg(QString::fromStdString(run->name).toHtmlEscaped(),
                               run->config ? QString::fromStdString(run->config->model) : QString())
                          .arg(run->epochs.size())
                          .arg(QString::fromStdString(run->stateText()));
    if (run->testAccuracy) summary += tr(" · test accuracy %1").arg(percent(*run->testAccuracy));
    if (!run->error.empty())
        summary += QStringLiteral("<br>") + QString::fromStdString(run->error).toHtmlEscaped();
    summary_->setText(summary);
    const QString configJson = QString::fromStdString(run->configJson);
    const QJsonDocument doc = QJsonDocument::fromJson(configJson.toUtf8());
    config_->setPlainText(doc.isNull() ? configJson
                                       : QString::fromUtf8(doc.toJson(QJsonDocument::Indented)));
    try {
        log_->setPlainText(QString::fromStdString(readWholeFile(RunFolder{run->dir}.log())));
    } catch (const std::exception& e) {
        log_->setPlainText(QString::fromStdString(e.what()));
    }
    updateResume();
}

bool RunsPanel::openRun(const fs::path& dir) {
    if (indexOf(dir) < 0) refresh();
    if (indexOf(dir) < 0) return false;
    shown_ = runs_[static_cast<std::size_t>(indexOf(dir))].dir;
    fillTable();
    showSelected();
    return true;
}

bool RunsPanel::compareWith(const std::optional<fs::path>& dir) {
    if (dir && (indexOf(*dir) < 0 || isShown(*dir))) return false;
    compared_.clear();
    if (dir) compared_.push_back(runs_[static_cast<std::size_t>(indexOf(*dir))].dir);
    showSelected();
    return true;
}

bool RunsPanel::setCompared(const fs::path& dir, bool compared) {
    const int i = indexOf(dir);
    if (i < 0 || isShown(dir)) {
        updateCompareMarks();  // undo a tick the table may show
        return false;
    }
    std::erase_if(compared_, [&](const fs::path& d) { return indexOf(d) == i; });
    if (compared) compared_.push_back(runs_[static_cast<std::size_t>(i)].dir);
    showSelected();
    return true;
}

bool RunsPanel::addRun(const fs::path& dir) {
    const RunInfo info = readRunInfo(dir);
    if (info.state == RunInfo::State::Unreadable) {
        lastError_ = QString::fromStdString(info.error);
        summary_->setText(tr("Not a run folder: %1").arg(lastError_.toHtmlEscaped()));
        return false;
    }
    extra_.push_back(dir);
    refresh();
    return openRun(dir);
}

void RunsPanel::chooseRunFolder() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a run folder"),
                                                          toQString(runsFolder(workspace_)));
    if (!dir.isEmpty()) addRun(toPath(dir));
}

QString RunsPanel::configText() const {
    return config_->toPlainText();
}

bool RunsPanel::canResume() const {
    const RunInfo* run = shownRun();
    return !busy_ && run && run->state == RunInfo::State::Resumable;
}

void RunsPanel::setBusy(bool busy) {
    busy_ = busy;
    updateResume();
}

void RunsPanel::setActiveRun(const std::optional<fs::path>& run) {
    active_ = run;
}

void RunsPanel::updateResume() {
    resume_->setEnabled(canResume());
    const RunInfo* run = shownRun();
    evaluate_->setEnabled(
        run && (run->state == RunInfo::State::Finished || run->state == RunInfo::State::Resumable));
}

}  // namespace gz::ui
