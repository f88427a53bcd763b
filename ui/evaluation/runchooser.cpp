#include "evaluation/runchooser.h"

#include <QLocale>
#include <QSignalBlocker>

#include <algorithm>

#include "common/uiformat.h"
#include "gz/run_info.h"

namespace gz::ui {

namespace fs = std::filesystem;

namespace {

constexpr int kRunTtaRole = Qt::UserRole + 1;       // the run was trained with TTA
constexpr int kRunDecisionRole = Qt::UserRole + 2;  // its Decision, -1 without a votes head

}  // namespace

RunChooser::RunChooser(fs::path workspace, Detail detail, QWidget* parent)
    : QComboBox(parent), workspace_(std::move(workspace)), detail_(detail) {
    setMinimumContentsLength(24);
}

void RunChooser::refresh() {
    const auto keep = selectedRun();
    {
        const QSignalBlocker block(this);
        clear();
        std::vector<RunInfo> runs = listRuns(workspace_);
        for (const fs::path& dir : extraRuns_)
            if (std::none_of(runs.begin(), runs.end(),
                             [&](const RunInfo& r) { return r.dir == dir; }))
                runs.push_back(readRunInfo(dir));
        for (const RunInfo& run : runs) {
            if (run.state != RunInfo::State::Finished && run.state != RunInfo::State::Resumable)
                continue;  // nothing to load without a checkpoint
            QString text = QString::fromStdString(run.name);
            if (detail_ == Detail::TestAccuracy && run.testAccuracy)
                text +=
                    tr("  (test accuracy %1)").arg(QLocale().toString(*run.testAccuracy, 'f', 3));
            addItem(text, toQString(run.dir));
            setItemData(count() - 1, run.config && run.config->tta, kRunTtaRole);
            setItemData(count() - 1,
                        run.config && run.config->hasVotesHead()
                            ? static_cast<int>(run.config->decision)
                            : -1,
                        kRunDecisionRole);
        }
        if (keep) {
            const int index = findData(toQString(*keep));
            if (index >= 0) setCurrentIndex(index);
        }
    }
    emit refreshed();
}

void RunChooser::setRun(const fs::path& run) {
    if (findData(toQString(run)) < 0) {
        extraRuns_.push_back(run);
        refresh();
    }
    const int index = findData(toQString(run));
    if (index >= 0) setCurrentIndex(index);
}

std::optional<fs::path> RunChooser::selectedRun() const {
    if (currentIndex() < 0) return std::nullopt;
    return toPath(currentData().toString());
}

bool RunChooser::selectedRunUsedTta() const {
    return currentIndex() >= 0 && currentData(kRunTtaRole).toBool();
}

std::optional<Decision> RunChooser::selectedRunDecision() const {
    if (currentIndex() < 0) return std::nullopt;
    const int decision = currentData(kRunDecisionRole).toInt();
    if (decision < 0) return std::nullopt;
    return static_cast<Decision>(decision);
}

}  // namespace gz::ui
