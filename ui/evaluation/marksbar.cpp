#include "evaluation/marksbar.h"

#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

#include "common/formcontrols.h"
#include "common/uiformat.h"
#include "gz/files.h"

namespace gz::ui {
namespace fs = std::filesystem;

MarksBar::MarksBar(QWidget* parent) : QWidget(parent) {
    label_ = new QLabel;
    label_->setObjectName(QStringLiteral("marksLabel"));
    allowNarrow(label_);
    exportButton_ = new QPushButton(tr("Export Marks…"));
    exportButton_->setObjectName(QStringLiteral("exportMarksButton"));
    exportButton_->setToolTip(tr("Save a copy of the marks (marks.csv) where you choose"));
    connect(exportButton_, &QPushButton::clicked, this, &MarksBar::chooseFile);
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(label_, 1);
    row->addWidget(exportButton_);
    refresh();
}

void MarksBar::setMarks(std::shared_ptr<const RunMarks> marks,
                        std::shared_ptr<const LoadedDataset> dataset, const QString& unavailable) {
    marks_ = std::move(marks);
    dataset_ = std::move(dataset);
    unavailable_ = unavailable;
    refresh();
}

void MarksBar::refresh() {
    if (!marks_)
        label_->setText(unavailable_);
    else
        label_->setText(tr("Marks in %1: %2 label looks wrong, %3 model wrong")
                            .arg(toQString(RunMarks::fileIn(marks_->runDir()).filename()))
                            .arg(marks_->count(GalaxyMark::LabelWrong))
                            .arg(marks_->count(GalaxyMark::ModelWrong)));
    exportButton_->setEnabled(marks_ && !marks_->all().empty());
}

bool MarksBar::exportMarks(const fs::path& file) {
    if (!marks_) {
        emit message(tr("No marks to export."), true);
        return false;
    }
    if (isSameFile(file, RunMarks::fileIn(marks_->runDir()))) {
        emit message(tr("That is the marks file itself; choose another place."), true);
        return false;
    }
    try {
        if (dataset_) dataset_->catalog.requireOutside(file, "place");
        marks_->exportCsv(file);
    } catch (const std::exception& e) {
        emit message(QString::fromStdString(e.what()), true);
        return false;
    }
    emit message(tr("Exported %n marks to %1", "", static_cast<int>(marks_->all().size()))
                     .arg(toQString(file)),
                 false);
    return true;
}

void MarksBar::chooseFile() {
    if (!marks_) return;
    // "<run>-marks.csv" in the home folder to start with.
    const fs::path marksFile = RunMarks::fileIn(marks_->runDir());
    const QString file = QFileDialog::getSaveFileName(
        this, tr("Export marks"),
        toQString(toPath(QDir::homePath()) /
                  (marks_->runDir().filename().string() + '-' + marksFile.filename().string())),
        tr("CSV files (*.csv)"));
    if (!file.isEmpty()) exportMarks(toPath(file));
}

}  // namespace gz::ui
