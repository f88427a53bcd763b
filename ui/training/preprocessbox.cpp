#include "training/preprocessbox.h"

#include <QCheckBox>
#include <QDir>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>

#include "common/formcontrols.h"
#include "dataset/loadeddataset.h"

namespace gz::ui {

PreprocessBox::PreprocessBox(QWidget* parent)
    : QGroupBox(tr("2. Preprocess (optional: training builds the cache too)"), parent) {
    outputFolder_ = new QLineEdit;
    outputFolder_->setObjectName(QStringLiteral("preprocessOutputEdit"));
    auto* browse = new QPushButton(tr("…"));
    browse->setMaximumWidth(32);
    connect(browse, &QPushButton::clicked, this, &PreprocessBox::chooseOutputFolder);
    auto* outRow = new QHBoxLayout;
    outRow->addWidget(outputFolder_, 1);
    outRow->addWidget(browse);
    npy_ = new QCheckBox(tr("Export .npy files"));
    npy_->setObjectName(QStringLiteral("npyCheck"));
    copies_ = makeSpinBox(QStringLiteral("copiesSpin"), 1, 64, kStructuredCopies);
    copies_->setToolTip(tr("Augmented copies per training image in Training_images_Preprocess2"));
    threads_ =
        makeSpinBox(QStringLiteral("preprocessThreadsSpin"), 1, 64, QThread::idealThreadCount());
    preprocessButton_ = new QPushButton(tr("Preprocess"));
    preprocessButton_->setObjectName(QStringLiteral("preprocessButton"));
    connect(preprocessButton_, &QPushButton::clicked, this, &PreprocessBox::preprocessRequested);
    info_ = makeTextLabel(QStringLiteral("preprocessInfo"));
    auto* grid = new QGridLayout(this);
    grid->addWidget(new QLabel(tr("Output folder")), 0, 0);
    grid->addLayout(outRow, 0, 1, 1, 3);
    grid->addWidget(npy_, 1, 0, 1, 2);
    grid->addWidget(new QLabel(tr("Copies")), 1, 2);
    grid->addWidget(copies_, 1, 3);
    grid->addWidget(new QLabel(tr("Threads")), 2, 0);
    grid->addWidget(threads_, 2, 1);
    grid->addWidget(preprocessButton_, 2, 2, 1, 2);
    grid->addWidget(info_, 3, 0, 1, 4);
}

PreprocessOptions PreprocessBox::options() const {
    PreprocessOptions options;
    options.outDir = toPath(QDir::fromNativeSeparators(outputFolder_->text().trimmed()));
    options.npy = npy_->isChecked();
    options.copies = copies_->value();
    options.threads = threads_->value();
    return options;
}

void PreprocessBox::setOutputFolder(const std::filesystem::path& folder) {
    outputFolder_->setText(QDir::toNativeSeparators(toQString(folder)));
}

void PreprocessBox::showResult(const QString& text) {
    info_->setText(text);
}

void PreprocessBox::setPreprocessEnabled(bool enabled, const QString& toolTip) {
    preprocessButton_->setEnabled(enabled);
    preprocessButton_->setToolTip(toolTip);
}

void PreprocessBox::chooseOutputFolder() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Preprocessing output folder"),
                                                          outputFolder_->text());
    if (!dir.isEmpty()) outputFolder_->setText(QDir::toNativeSeparators(dir));
}

}  // namespace gz::ui
