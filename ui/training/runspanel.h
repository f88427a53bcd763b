#pragma once
// The "Runs" panel: every run folder in the workspace (and any other opened here), with its
// state, curves, config and log; a stopped run resumes. Runs ticked in the run picker are overlaid
// on the shown run's curves, each in its own colour, with their settings side by side.

#include <QWidget>

#include <filesystem>
#include <optional>
#include <vector>

#include "gz/run_info.h"

class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace gz::ui {

class CurvesView;
class RunSettingsTable;

class RunsPanel : public QWidget {
    Q_OBJECT

public:
    explicit RunsPanel(std::filesystem::path workspace, QWidget* parent = nullptr);

    /// Reads the runs folder again (keeping the selection).
    void refresh();
    /// Adds a run folder from elsewhere (e.g. made by galaxy-cli --out) and shows it. False,
    /// with lastError(), when it has no readable config.json.
    bool addRun(const std::filesystem::path& dir);
    /// Shows a listed run; false when it is not listed.
    bool openRun(const std::filesystem::path& dir);
    /// Overlays a listed run's curves on the shown run's (nullopt: none). False when the run
    /// is not listed or is the shown run (a run is never compared with itself).
    bool compareWith(const std::optional<std::filesystem::path>& dir);
    /// Ticks or unticks a listed run for comparison; false when it is not listed or is the
    /// shown run.
    bool setCompared(const std::filesystem::path& dir, bool compared);
    /// The runs drawn: the shown run first, then the ticked ones, each once.
    std::vector<std::filesystem::path> drawnRuns() const;

    const std::vector<RunInfo>& runs() const { return runs_; }
    /// The run shown, or nullptr.
    const RunInfo* shownRun() const;
    CurvesView* curves() const { return curves_; }
    QString configText() const;
    QString lastError() const { return lastError_; }
    /// Whether Resume is offered for the shown run.
    bool canResume() const;
    /// Enables Resume only when no job runs (the main window tells).
    void setBusy(bool busy);
    /// The run being trained now (shown as such), or nullopt.
    void setActiveRun(const std::optional<std::filesystem::path>& run);

signals:
    /// The user asked to continue a stopped run.
    void resumeRequested(const std::filesystem::path& run);
    /// The user asked to evaluate the shown run (Evaluation tab).
    void evaluateRequested(const std::filesystem::path& run);

private:
    void fillTable();
    void showSelected();
    void chooseRunFolder();
    int indexOf(const std::filesystem::path& dir) const;
    bool isShown(const std::filesystem::path& dir) const;
    void updateCompareMarks();
    void updateResume();

    std::filesystem::path workspace_;
    std::vector<std::filesystem::path> extra_;  // opened from elsewhere
    std::vector<RunInfo> runs_;
    std::optional<std::filesystem::path> shown_;
    std::vector<std::filesystem::path> compared_;
    std::optional<std::filesystem::path> active_;
    QString lastError_;
    bool busy_ = false;
    bool filling_ = false;

    QTableWidget* table_ = nullptr;
    QPushButton* resume_ = nullptr;
    QPushButton* evaluate_ = nullptr;
    QLabel* summary_ = nullptr;
    CurvesView* curves_ = nullptr;
    QPlainTextEdit* config_ = nullptr;
    RunSettingsTable* settings_ = nullptr;
    QListWidget* picker_ = nullptr;  ///< the runs to compare, ticked
    QPlainTextEdit* log_ = nullptr;
};

}  // namespace gz::ui
