#include "evaluation/predictionpanel.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <map>

#include "common/cvimage.h"
#include "common/formcontrols.h"
#include "common/jobrunner.h"
#include "common/morelikethis.h"
#include "common/morphologycolors.h"
#include "common/uiformat.h"
#include "common/uistyle.h"
#include "dataset/votefractiontree.h"
#include "evaluation/inferencechoices.h"
#include "evaluation/runchooser.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/image_pipeline.h"
#include "gz/prediction_table.h"
#include "gz/run_info.h"
#include "gz/training.h"

namespace gz::ui {
namespace fs = std::filesystem;

namespace {

enum Column {
    kId,
    kFile,
    kPredicted,
    kConfidence,
    kFirstProbability,
    kColumns = kFirstProbability + 5
};

/// The folder's JPEGs by the GalaxyID predictFolder gives them.
std::map<std::int64_t, fs::path> imagesById(const fs::path& dir) {
    std::map<std::int64_t, fs::path> out;
    for (const JpegFile& f : listJpegs(dir)) out.emplace(f.id, f.path);
    return out;
}

class NumberItem : public QTableWidgetItem {
public:
    NumberItem(const QString& text, double value) : QTableWidgetItem(text) {
        setData(Qt::UserRole, value);
        setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    }
    bool operator<(const QTableWidgetItem& other) const override {
        return data(Qt::UserRole).toDouble() < other.data(Qt::UserRole).toDouble();
    }
};

}  // namespace

PredictionPanel::PredictionPanel(JobRunner* runner, fs::path workspace, QWidget* parent)
    : QWidget(parent),
      runner_(runner),
      decoder_([](const fs::path& file,
                  const std::stop_token&) { return toQImage(decodeImage(file).rgb); },
               [this](const QImage& image) { showPreview(image, {}); },
               [this](const QString& error) { showPreview({}, error); }) {
    setObjectName(QStringLiteral("predictionPanel"));

    runCombo_ = new RunChooser(std::move(workspace), RunChooser::Detail::None);
    runCombo_->setObjectName(QStringLiteral("predictionRunCombo"));
    connect(runCombo_, &RunChooser::refreshed, this, [this] {
        choices_->follow(*runCombo_);
        updateButtons();
    });
    connect(runCombo_, &QComboBox::currentIndexChanged, this,
            [this] { choices_->follow(*runCombo_); });
    auto* refresh = new QPushButton(tr("Refresh"));
    connect(refresh, &QPushButton::clicked, this, &PredictionPanel::refreshRuns);
    folder_ = new QLineEdit;
    folder_->setObjectName(QStringLiteral("predictionFolderEdit"));
    folder_->setPlaceholderText(tr("A folder of JPEG images (no labels needed)"));
    connect(folder_, &QLineEdit::textChanged, this, [this] { updateButtons(); });
    auto* browse = new QPushButton(tr("Browse…"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir =
            QFileDialog::getExistingDirectory(this, tr("Folder of JPEG images"), folder_->text());
        if (!dir.isEmpty()) folder_->setText(dir);
    });
    choices_ = new InferenceChoices(QStringLiteral("prediction"));
    predictButton_ = new QPushButton(tr("Predict"));
    predictButton_->setObjectName(QStringLiteral("predictButton"));
    connect(predictButton_, &QPushButton::clicked, this, &PredictionPanel::predict);

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Run")));
    top->addWidget(runCombo_, 1);
    top->addWidget(refresh);
    top->addSpacing(12);
    top->addWidget(new QLabel(tr("Images")));
    top->addWidget(folder_, 2);
    top->addWidget(browse);
    top->addWidget(choices_);
    top->addWidget(predictButton_);

    statusLabel_ = makeTextLabel(QStringLiteral("predictionStatus"));

    classFilter_ = new QComboBox;
    classFilter_->setObjectName(QStringLiteral("predictionClassFilter"));
    classFilter_->addItem(tr("All classes"), -1);
    for (int c = 0; c < kMorphologyCount; ++c)
        classFilter_->addItem(morphologySwatch(c), morphologyShortName(c), c);
    minConfidence_ = makeDoubleSpinBox(QStringLiteral("predictionMinConfidence"), 0, 1, 0, 2, 0.05);
    connect(classFilter_, &QComboBox::currentIndexChanged, this, [this] { fillTable(); });
    connect(minConfidence_, &QDoubleSpinBox::valueChanged, this, [this] { fillTable(); });
    exportButton_ = new QPushButton(tr("Export CSV…"));
    exportButton_->setObjectName(QStringLiteral("exportPredictionsButton"));
    connect(exportButton_, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getSaveFileName(
            this, tr("Export predictions"),
            QDir::home().filePath(QStringLiteral("predictions.csv")), tr("CSV files (*.csv)"));
        if (!file.isEmpty()) exportCsv(toPath(file));
    });
    counts_ = new QLabel;
    counts_->setObjectName(QStringLiteral("predictionCounts"));
    counts_->setTextFormat(Qt::RichText);
    allowNarrow(counts_);
    auto* filterRow = new QHBoxLayout;
    filterRow->addWidget(new QLabel(tr("Predicted")));
    filterRow->addWidget(classFilter_);
    filterRow->addWidget(new QLabel(tr("confidence at least")));
    filterRow->addWidget(minConfidence_);
    filterRow->addWidget(counts_, 1);
    filterRow->addWidget(exportButton_);

    table_ = new QTableWidget(0, kColumns);
    table_->setObjectName(QStringLiteral("predictionTable"));
    QStringList headers{tr("GalaxyID"), tr("File"), tr("Predicted"), tr("Confidence")};
    for (int c = 0; c < kMorphologyCount; ++c)
        headers << QStringLiteral("p(%1)").arg(morphologyShortName(c));
    table_->setHorizontalHeaderLabels(headers);
    table_->verticalHeader()->hide();
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    table_->horizontalHeader()->setSectionResizeMode(kId, QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(kFile, QHeaderView::ResizeToContents);
    table_->setAlternatingRowColors(true);
    connect(table_, &QTableWidget::itemSelectionChanged, this, &PredictionPanel::showSelected);
    offerMoreLikeThis(table_, [this](const QModelIndex& index) {
        const QTableWidgetItem* id = table_->item(index.row(), kId);
        const auto i =
            id ? static_cast<std::size_t>(id->data(Qt::UserRole + 1).toULongLong()) : files_.size();
        if (i < files_.size() && !files_[i].empty())
            emit moreLikeImageRequested(toQString(files_[i]));
    });

    image_ = new QLabel;
    image_->setObjectName(QStringLiteral("predictionImage"));
    image_->setAlignment(Qt::AlignCenter);
    image_->setMinimumSize(280, 280);
    image_->setStyleSheet(QStringLiteral("background: %1; color: #ccc;").arg(skyColor().name()));
    imageCaption_ = new QLabel;
    imageCaption_->setWordWrap(true);
    imageCaption_->setTextFormat(Qt::RichText);
    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    // A votes head's 37 predicted fractions, by question (hidden for a run without one).
    fractions_ = new VoteFractionTree;
    fractions_->setObjectName(QStringLiteral("predictedFractionTree"));
    fractions_->hide();
    rightLayout->addWidget(image_);
    rightLayout->addWidget(imageCaption_);
    rightLayout->addWidget(fractions_, 1);
    rightLayout->addStretch(0);

    auto* splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(table_);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(statusLabel_);
    layout->addLayout(filterRow);
    layout->addWidget(splitter, 1);

    if (runner_) {
        connect(runner_, &JobRunner::started, this, [this] { updateButtons(); });
        connect(runner_, &JobRunner::finished, this, [this] { updateButtons(); });
    }
    refreshRuns();
    fillTable();
    setStatus(tr("Choose a run and a folder of JPEG images to classify."));
}

void PredictionPanel::refreshRuns() {
    runCombo_->refresh();
}

void PredictionPanel::setRun(const fs::path& run) {
    runCombo_->setRun(run);
    choices_->follow(*runCombo_);
}

std::optional<fs::path> PredictionPanel::selectedRun() const {
    return runCombo_->selectedRun();
}

void PredictionPanel::setFolder(const fs::path& folder) {
    folder_->setText(toQString(folder));
}

void PredictionPanel::setStatus(const QString& text, bool error) {
    status_ = text;
    setStatusText(statusLabel_, text, error ? StatusTone::Error : StatusTone::Normal);
}

void PredictionPanel::updateButtons() {
    const bool busy = runner_ && runner_->isRunning();
    QString why;
    if (!selectedRun())
        why = tr("No trained run in the workspace yet.");
    else if (folder_->text().trimmed().isEmpty())
        why = tr("Choose a folder of JPEG images.");
    else if (busy)
        why = tr("Another job is running.");
    predictButton_->setEnabled(why.isEmpty());
    predictButton_->setToolTip(why);
    exportButton_->setEnabled(!predictions_.empty());
}

bool PredictionPanel::predict() {
    updateButtons();
    if (!predictButton_->isEnabled()) {
        setStatus(predictButton_->toolTip(), true);
        return false;
    }
    const fs::path run = *selectedRun();
    const fs::path folder = toPath(folder_->text().trimmed());
    const bool tta = choices_->tta();
    const std::optional<Decision> decision = choices_->decision();
    struct Result {
        std::vector<Prediction> predictions;
        std::vector<std::string> skipped;
        std::map<std::int64_t, fs::path> files;
    };
    auto out = std::make_shared<Result>();
    const bool started = runner_->start(
        tr("Predicting %1").arg(toQString(folder.filename())),
        [=](const std::stop_token& stop, const ProgressFn& progress) {
            out->predictions = predictFolder(run, folder, tta, std::nullopt, 0, stop, progress,
                                             &out->skipped, decision);
            out->files = imagesById(folder);
        },
        [this, out, folder, decision](const JobOutcome& outcome) {
            if (outcome.status == JobOutcome::Status::Succeeded) {
                predictions_ = std::move(out->predictions);
                predictedFolder_ = folder;
                files_.clear();
                for (const Prediction& p : predictions_) {
                    const auto it = out->files.find(p.id);
                    files_.push_back(it == out->files.end() ? fs::path() : it->second);
                }
                QString text =
                    tr("Predicted %n images of %1", "", static_cast<int>(predictions_.size()))
                        .arg(toQString(folder));
                text += InferenceChoices::decidedBy(decision);
                if (!out->skipped.empty())
                    text += tr("; %n skipped, e.g. %1", "", static_cast<int>(out->skipped.size()))
                                .arg(QString::fromStdString(out->skipped.front()));
                setStatus(text, predictions_.empty());
                fillTable();
                emit predicted();
            } else if (outcome.status == JobOutcome::Status::Failed) {
                setStatus(tr("Prediction failed: %1").arg(outcome.error), true);
            } else {
                setStatus(tr("Prediction cancelled."));
            }
            updateButtons();
        });
    if (!started) {
        setStatus(tr("Another job is running."), true);
        return false;
    }
    setStatus(tr("Predicting…"));
    updateButtons();
    return true;
}

void PredictionPanel::setFilter(std::optional<int> predictedClass, double minConfidence) {
    classFilter_->setCurrentIndex(predictedClass ? *predictedClass + 1 : 0);
    minConfidence_->setValue(minConfidence);
    fillTable();
}

void PredictionPanel::fillTable() {
    const int wanted = classFilter_->currentData().toInt();
    const double minConfidence = minConfidence_->value();
    std::vector<std::size_t> rows;
    std::array<int, kMorphologyCount> counts{};
    for (std::size_t i = 0; i < predictions_.size(); ++i) {
        const Prediction& p = predictions_[i];
        ++counts[static_cast<std::size_t>(p.predicted())];
        if ((wanted < 0 || p.predicted() == wanted) && p.confidence() >= minConfidence)
            rows.push_back(i);
    }
    std::stable_sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) {
        return predictions_[a].confidence() > predictions_[b].confidence();
    });
    QStringList parts;
    for (int c = 0; c < kMorphologyCount; ++c)
        parts << QStringLiteral("<span style='color:%1'>■</span> %2 %3")
                     .arg(morphologyColor(c).name(), morphologyShortName(c))
                     .arg(counts[static_cast<std::size_t>(c)]);
    counts_->setText(predictions_.empty() ? QString()
                                          : tr("%1 shown &nbsp; ").arg(rows.size()) +
                                                parts.join(QStringLiteral(" &nbsp; ")));

    // The galaxy selected before stays selected when the filter still shows it; otherwise the
    // preview goes with it.
    const std::optional<std::size_t> selected = selectedIndex();
    QSignalBlocker block(table_);
    table_->clearSelection();
    table_->setSortingEnabled(false);
    table_->setRowCount(static_cast<int>(rows.size()));
    for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
        const std::size_t index = rows[static_cast<std::size_t>(r)];
        const Prediction& p = predictions_[index];
        auto* id = new NumberItem(QString::number(p.id), static_cast<double>(p.id));
        id->setData(Qt::UserRole + 1, static_cast<qulonglong>(index));
        table_->setItem(r, kId, id);
        table_->setItem(
            r, kFile,
            new QTableWidgetItem(files_[index].empty() ? QString()
                                                       : toQString(files_[index].filename())));
        auto* cls = new QTableWidgetItem(morphologySwatch(p.predicted()),
                                         morphologyShortName(p.predicted()));
        table_->setItem(r, kPredicted, cls);
        table_->setItem(r, kConfidence,
                        new NumberItem(QLocale().toString(100.0 * p.confidence(), 'f', 1) + '%',
                                       p.confidence()));
        for (int c = 0; c < kMorphologyCount; ++c) {
            const double v = p.probabilities[static_cast<std::size_t>(c)];
            table_->setItem(r, kFirstProbability + c,
                            new NumberItem(QLocale().toString(v, 'f', 3), v));
        }
    }
    table_->setSortingEnabled(true);
    table_->sortByColumn(kConfidence, Qt::DescendingOrder);
    bool kept = false;
    for (int r = 0; selected && r < table_->rowCount() && !kept; ++r)
        if (table_->item(r, kId)->data(Qt::UserRole + 1).toULongLong() == *selected) {
            table_->setCurrentCell(r, kId);
            table_->selectRow(r);
            kept = true;
        }
    block.unblock();
    if (!kept) {
        table_->setCurrentCell(-1, -1);
        showSelected();
    }
    updateButtons();
}

std::optional<std::size_t> PredictionPanel::selectedIndex() const {
    const QList<QTableWidgetItem*> items = table_->selectedItems();
    if (items.isEmpty()) return std::nullopt;
    const QTableWidgetItem* id = table_->item(items.front()->row(), kId);
    if (!id) return std::nullopt;
    return static_cast<std::size_t>(id->data(Qt::UserRole + 1).toULongLong());
}

std::vector<std::size_t> PredictionPanel::shownIndexes() const {
    std::vector<std::size_t> out;
    for (int r = 0; r < table_->rowCount(); ++r)
        out.push_back(
            static_cast<std::size_t>(table_->item(r, kId)->data(Qt::UserRole + 1).toULongLong()));
    return out;
}

std::vector<Prediction> PredictionPanel::shownPredictions() const {
    std::vector<Prediction> out;
    for (std::size_t index : shownIndexes()) out.push_back(predictions_[index]);
    return out;
}

void PredictionPanel::showSelected() {
    preview_ = {};
    const std::optional<std::size_t> selected = selectedIndex();
    if (!selected) {
        decoder_.cancel();
        image_->clear();
        imageCaption_->clear();
        fractions_->clearFractions();
        fractions_->hide();
        return;
    }
    const std::size_t index = *selected;
    const Prediction& p = predictions_[index];
    fractions_->showModelOnly(p.fractions);
    fractions_->setVisible(!p.fractions.empty());
    imageCaption_->setText(tr("<b>%1</b><br>predicted <b style='color:%2'>%3</b> (%4%)")
                               .arg(files_[index].empty() ? QString::number(p.id)
                                                          : toQString(files_[index].filename()))
                               .arg(morphologyColor(p.predicted()).name(),
                                    morphologyShortName(p.predicted()),
                                    QLocale().toString(100.0 * p.confidence(), 'f', 1)));
    if (files_[index].empty()) {
        decoder_.cancel();
        image_->setText(tr("image file not found"));
        return;
    }
    image_->setText(tr("Loading…"));
    decoder_.submit(files_[index]);
}

void PredictionPanel::showPreview(const QImage& image, const QString& error) {
    preview_ = image;
    if (preview_.isNull())
        image_->setText(error);
    else
        image_->setPixmap(QPixmap::fromImage(preview_).scaled(image_->size(), Qt::KeepAspectRatio,
                                                              Qt::SmoothTransformation));
    emit previewShown();
}

bool PredictionPanel::exportCsv(const fs::path& file) {
    if (predictions_.empty()) {
        setStatus(tr("Nothing to export yet: predict a folder first."), true);
        return false;
    }
    const std::vector<std::size_t> shown = shownIndexes();
    if (shown.empty()) {
        setStatus(tr("Nothing to export: the filter shows no predictions."), true);
        return false;
    }
    std::vector<PredictionTableRow> rows;
    rows.reserve(shown.size());
    for (std::size_t index : shown)
        rows.push_back({predictions_[index],
                        files_[index].empty() ? std::string() : files_[index].filename().string()});
    try {
        requireOutsideDataFolder(file, predictedFolder_, "place for the file");
        writePredictionTableCsv(file, rows);
    } catch (const std::exception& e) {
        setStatus(QString::fromStdString(e.what()), true);
        return false;
    }
    setStatus(tr("Exported the %1 predictions shown (of %2) to %3")
                  .arg(rows.size())
                  .arg(predictions_.size())
                  .arg(toQString(file)));
    return true;
}

}  // namespace gz::ui
