#pragma once
// The "Runs" panel: every run folder in the workspace (and any other opened here), with its
// state, curves, config and log; a second run's curves can be overlaid; a stopped run resumes.

#include <QWidget>

#include <filesystem>
#include <optional>
#include <vector>

#include "gz/run_info.h"

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace gz::ui {

class CurvesView;

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
    /// Overlays a listed run's curves (nullopt: none).
    bool compareWith(const std::optional<std::filesystem::path>& dir);

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
    void updateResume();

    std::filesystem::path workspace_;
    std::vector<std::filesystem::path> extra_;  // opened from elsewhere
    std::vector<RunInfo> runs_;
    std::optional<std::filesystem::path> shown_;
    std::optional<std::filesystem::path> compared_;
    std::optional<std::filesystem::path> active_;
    QString lastError_;
    bool busy_ = false;
    bool filling_ = false;

    QTableWidget* table_ = nullptr;
    QComboBox* compare_ = nullptr;
    QPushButton* resume_ = nullptr;
    QPushButton* evaluate_ = nullptr;
    QLabel* summary_ = nullptr;
    CurvesView* curves_ = nullptr;
    QPlainTextEdit* config_ = nullptr;
    QPlainTextEdit* log_ = nullptr;
};

}  // namespace gz::ui
