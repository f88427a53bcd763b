#pragma once
// The "Suspects" panel: the labels of the open data set that are probably wrong (gz/suspects.h:
// k-fold training then confident learning, as a job on the window's JobRunner), most suspect
// first, in the misclassified-galaxy inspector beside the vote fractions and the rule that
// decided each label. The user marks them (L: label looks wrong, M: model wrong) in the search's
// marks.csv and exports the marked ones for curation; the data set is never modified. Earlier
// searches of the workspace can be opened again.

#include <QWidget>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

#include "gz/suspects.h"
#include "gz/training.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace gz {
class RunMarks;
}

namespace gz::ui {

class JobRunner;
class LabelingSession;
class MarksBar;
class MisclassifiedInspector;

class SuspectsPanel : public QWidget {
    Q_OBJECT

public:
    SuspectsPanel(JobRunner* runner, std::filesystem::path workspace, LabelingSession* session,
                  QWidget* parent = nullptr);

    /// The settings the fold runs are trained with (the Training panel's); the panel's folds and
    /// minutes replace theirs. Unset: TrainConfig's defaults.
    void setConfigSource(std::function<TrainConfig()> source);
    void setFolds(int folds);
    /// The training time of all folds together.
    void setMinutes(double minutes);

    /// Starts the search on the open data set's labels (the current rules'); false, with
    /// statusText(), when refused.
    bool findSuspects();
    /// Lists the workspace's earlier searches again.
    void refreshSearches();
    /// Shows a finished search (its folder); false, with statusText(), when it cannot be read.
    bool openSearch(const std::filesystem::path& folder);
    /// Copies the search's marks to `file`; false with statusText().
    bool exportMarks(const std::filesystem::path& file);

    /// The search shown, if any.
    const std::optional<SuspectSearch>& search() const { return search_; }
    std::shared_ptr<RunMarks> marks() const { return marks_; }
    MisclassifiedInspector* inspector() const { return inspector_; }
    QString statusText() const { return status_; }

signals:
    /// A search is shown (found or opened).
    void searchShown();

private:
    void showSearch(SuspectSearch search);
    void setStatus(const QString& text, bool error = false);
    void updateButtons();

    JobRunner* runner_;
    std::filesystem::path workspace_;
    LabelingSession* session_;
    std::function<TrainConfig()> configSource_;
    std::optional<SuspectSearch> search_;
    std::shared_ptr<RunMarks> marks_;
    QString status_;

    QSpinBox* folds_ = nullptr;
    QDoubleSpinBox* minutes_ = nullptr;
    QPushButton* findButton_ = nullptr;
    QComboBox* searches_ = nullptr;
    QLabel* statusLabel_ = nullptr;
    QLabel* summary_ = nullptr;
    MisclassifiedInspector* inspector_ = nullptr;
    MarksBar* marksBar_ = nullptr;
};

}  // namespace gz::ui
