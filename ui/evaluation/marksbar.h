#pragma once
// The row under a gallery of marked galaxies: how many carry each mark (kept in a folder's
// marks.csv, gz/run_marks.h) and "Export Marks…", which copies them where the user chooses, never
// over the marks file itself nor into the data set. The Evaluation panel's run and the Suspects
// panel's search both use it.

#include <QWidget>

#include <filesystem>
#include <memory>

#include "dataset/loadeddataset.h"
#include "gz/run_marks.h"

class QLabel;
class QPushButton;

namespace gz::ui {

class MarksBar : public QWidget {
    Q_OBJECT

public:
    explicit MarksBar(QWidget* parent = nullptr);

    /// The marks shown (nullptr: none, and `unavailable` says why when not empty) and the data set
    /// they are about (an export into its folders is refused).
    void setMarks(std::shared_ptr<const RunMarks> marks,
                  std::shared_ptr<const LoadedDataset> dataset, const QString& unavailable = {});
    /// Counts the marks again (after one changed).
    void refresh();
    /// Copies the marks to `file`; false when refused or failed. Both say so with message().
    bool exportMarks(const std::filesystem::path& file);

signals:
    void message(const QString& text, bool error);

private:
    void chooseFile();

    std::shared_ptr<const RunMarks> marks_;
    std::shared_ptr<const LoadedDataset> dataset_;
    QString unavailable_;
    QLabel* label_ = nullptr;
    QPushButton* exportButton_ = nullptr;
};

}  // namespace gz::ui
