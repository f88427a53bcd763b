#include "evaluation/evaluationpanel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "common/formcontrols.h"
#include "common/jobrunner.h"
#include "common/morphologycolors.h"
#include "common/uiformat.h"
#include "common/uistyle.h"
#include "evaluation/confusionheatmap.h"
#include "evaluation/inferencechoices.h"
#include "evaluation/marksbar.h"
#include "evaluation/misclassifiedinspector.h"
#include "evaluation/runchooser.h"
#include "gz/error.h"
#include "gz/explain.h"
#include "gz/files.h"
#include "gz/run_folder.h"
#include "gz/run_info.h"
#include "gz/training.h"
#include "gz/vote_fit.h"

namespace gz::ui {
namespace fs = std::filesystem;

namespace {

enum Column { kClass, kPrecision, kRecall, kRecallInterval, kF1, kSupport, kAuc, kColumns };

QString number(double value, int decimals = 3) {
    return std::isnan(value) ? QStringLiteral("–") : QLocale().toString(value, 'f', decimals);
}

QString interval(const Interval& i, int decimals = 3) {
    return std::isnan(i.low)
               ? QStringLiteral("–")
               : QStringLiteral("%1–%2").arg(number(i.low, decimals), number(i.high, decimals));
}

/// Whether the window's data set is the one a run was trained on (then it is reused).
bool isRunData(const LoadedDataset& data, const TrainConfig& config) {
    if (!isSameFile(data.catalog.csvPath(), config.dataCsv)) return false;
    const auto& images = data.catalog.imageDir();
    if (images.has_value() != config.dataImages.has_value()) return false;
    return !images || isSameFile(*images, *config.dataImages);
}

}  // namespace

EvaluationPanel::EvaluationPanel(JobRunner* runner, fs::path workspace, QWidget* parent)
    : QWidget(parent), runner_(runner), workspace_(std::move(workspace)) {
    setObjectName(QStringLiteral("evaluationPanel"));

    runCombo_ = new RunChooser(workspace_, RunChooser::Detail::TestAccuracy);
    runCombo_->setObjectName(QStringLiteral("evaluationRunCombo"));
    runCombo_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    sourceCombo_ = new QComboBox;
    sourceCombo_->setObjectName(QStringLiteral("evaluationSourceCombo"));
    sourceCombo_->addItem(tr("Validation split"));
    sourceCombo_->addItem(tr("Test split"));
    sourceCombo_->addItem(tr("Open data set (labeled)"));
    sourceCombo_->setCurrentIndex(static_cast<int>(Source::Test));
    sourceCombo_->setToolTip(
        tr("The run's validation or test galaxies (its split.csv, its data), or every galaxy of "
           "the data set open in the window that the current label rules label"));
    choices_ = new InferenceChoices(QStringLiteral("evaluation"));
    evaluateButton_ = new QPushButton(tr("Evaluate"));
    evaluateButton_->setObjectName(QStringLiteral("evaluateButton"));
    connect(evaluateButton_, &QPushButton::clicked, this, &EvaluationPanel::evaluate);
    auto* refresh = new QPushButton(tr("Refresh"));
    refresh->setObjectName(QStringLiteral("refreshEvaluationRunsButton"));
    connect(refresh, &QPushButton::clicked, this, &EvaluationPanel::refreshRuns);
    const auto runChanged = [this] {
        choices_->follow(*runCombo_);
        updateButtons();
    };
    connect(runCombo_, &QComboBox::currentIndexChanged, this, runChanged);
    connect(runCombo_, &RunChooser::refreshed, this, runChanged);
    connect(sourceCombo_, &QComboBox::currentIndexChanged, this, [this] { updateButtons(); });

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Run")));
    top->addWidget(runCombo_, 2);
    top->addWidget(refresh);
    top->addSpacing(12);
    top->addWidget(new QLabel(tr("Galaxies")));
    top->addWidget(sourceCombo_, 1);
    top->addWidget(choices_);
    top->addWidget(evaluateButton_);

    statusLabel_ = makeTextLabel(QStringLiteral("evaluationStatus"));

    summary_ = new QLabel;
    summary_->setObjectName(QStringLiteral("evaluationSummary"));
    summary_->setTextFormat(Qt::RichText);
    allowNarrow(summary_);
    table_ = new QTableWidget(0, kColumns);
    table_->setObjectName(QStringLiteral("metricsTable"));
    table_->setHorizontalHeaderLabels({tr("Class"), tr("Precision"), tr("Recall"), tr("Recall 95%"),
                                       tr("F1"), tr("Support"), tr("ROC AUC")});
    table_->horizontalHeaderItem(kRecallInterval)
        ->setToolTip(tr("95% Wilson interval of the recall: with few galaxies of a class "
                        "(cigar-shaped) the recall is known only roughly."));
    table_->verticalHeader()->hide();
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionMode(QAbstractItemView::NoSelection);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    table_->horizontalHeader()->setSectionResizeMode(kClass, QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(kRecallInterval,
                                                     QHeaderView::ResizeToContents);
    table_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    heatMap_ = new ConfusionHeatMap;
    // A clicked cell fills the gallery; the keys (Up/Down, J/K) then step through it.
    connect(heatMap_, &ConfusionHeatMap::cellClicked, this, [this](int trueClass, int predicted) {
        showCell(trueClass, predicted);
        inspector_->galleryList()->setFocus(Qt::MouseFocusReason);
    });

    marksBar_ = new MarksBar;
    connect(marksBar_, &MarksBar::message, this, &EvaluationPanel::setStatus);

    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(summary_);
    leftLayout->addWidget(table_);
    leftLayout->addWidget(heatMap_, 1);
    leftLayout->addWidget(marksBar_);

    inspector_ = new MisclassifiedInspector;
    connect(inspector_, &MisclassifiedInspector::marksChanged, marksBar_, &MarksBar::refresh);

    auto* splitter = new QSplitter(Qt::Horizontal);
    splitter->setObjectName(QStringLiteral("evaluationSplitter"));
    splitter->addWidget(left);
    splitter->addWidget(inspector_);
    // The metrics keep their width; a narrower window takes its room from the inspector.
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({460, 920});

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(statusLabel_);
    layout->addWidget(splitter, 1);

    if (runner_) {
        connect(runner_, &JobRunner::started, this, [this] { updateButtons(); });
        connect(runner_, &JobRunner::finished, this, [this] { updateButtons(); });
    }
    fillMetrics();
    refreshRuns();
    setStatus(tr("Choose a run and the galaxies to evaluate it on."));
}

EvaluationPanel::~EvaluationPanel() = default;

void EvaluationPanel::setDatasetSource(
    std::function<std::shared_ptr<const LoadedDataset>()> dataset,
    std::function<LabelRules()> rules, std::function<std::shared_ptr<const Labeling>()> labeling) {
    datasetSource_ = std::move(dataset);
    rulesSource_ = std::move(rules);
    labelingSource_ = std::move(labeling);
    updateButtons();
}

void EvaluationPanel::refreshRuns() {
    runCombo_->refresh();
}

void EvaluationPanel::setRun(const fs::path& run) {
    runCombo_->setRun(run);
    updateButtons();
}

std::optional<fs::path> EvaluationPanel::selectedRun() const {
    return runCombo_->selectedRun();
}

void EvaluationPanel::setSource(Source source) {
    sourceCombo_->setCurrentIndex(static_cast<int>(source));
}

QString EvaluationPanel::statusText() const {
    return status_;
}

void EvaluationPanel::setStatus(const QString& text, bool error) {
    status_ = text;
    setStatusText(statusLabel_, text, error ? StatusTone::Error : StatusTone::Normal);
}

void EvaluationPanel::updateButtons() {
    const bool busy = runner_ && runner_->isRunning();
    const auto source = static_cast<Source>(sourceCombo_->currentIndex());
    QString why;
    if (!selectedRun())
        why =
            tr("No trained run in the workspace yet (train one, or open a run folder in the "
               "Runs panel).");
    else if (source == Source::OpenDataset &&
             !(datasetSource_ && datasetSource_() && labelingSource_ && labelingSource_()))
        why = tr("Open a data set that the current label rules can label first.");
    else if (busy)
        why = tr("Another job is running.");
    evaluateButton_->setEnabled(why.isEmpty());
    evaluateButton_->setToolTip(why);
}

bool EvaluationPanel::evaluate() {
    updateButtons();
    if (!evaluateButton_->isEnabled()) {
        setStatus(evaluateButton_->toolTip(), true);
        return false;
    }
    const fs::path run = *selectedRun();
    const auto source = static_cast<Source>(sourceCombo_->currentIndex());
    const bool tta = choices_->tta();
    const std::optional<Decision> decision = choices_->decision();
    const fs::path workspace = workspace_;
    const std::shared_ptr<const LoadedDataset> windowData =
        datasetSource_ ? datasetSource_() : nullptr;
    const LabelRules windowRules = rulesSource_ ? rulesSource_() : LabelRules::defaults();
    const std::shared_ptr<const Labeling> windowLabeling =
        labelingSource_ ? labelingSource_() : nullptr;
    std::shared_ptr<const RunModel> model = modelRun_ == run ? model_ : nullptr;

    struct Result {
        std::vector<Prediction> predictions;
        std::shared_ptr<const LoadedDataset> dataset;
        LabelRules rules;
        std::unordered_map<std::int64_t, Subset> subsets;
        std::shared_ptr<const RunModel> model;
        std::vector<std::string> skipped;
        std::optional<VoteFit> votes;  ///< a votes head's fractions against the volunteers'
    };
    auto out = std::make_shared<Result>();
    const QString what = sourceCombo_->currentText() + InferenceChoices::decidedBy(decision);
    const bool started = runner_->start(
        tr("Evaluating %1 on %2").arg(toQString(run.filename()), what.toLower()),
        [=](const std::stop_token& stop, const ProgressFn& progress) {
            const TrainConfig config = loadRunConfig(run);
            std::vector<LabeledGalaxy> galaxies;
            if (source == Source::OpenDataset) {
                out->dataset = windowData;
                out->rules = windowRules;
                const Catalog& catalog = windowData->catalog;
                galaxies = labeledGalaxies(catalog, *windowLabeling);
                if (galaxies.empty())
                    throw DataError(catalog.csvPath(), "the label rules label no galaxy of it");
            } else {
                const Subset subset = source == Source::Validation ? Subset::Val : Subset::Test;
                // With a votes head, the subset's unlabeled galaxies too, for the fractions'
                // RMSE only (as training reports it).
                galaxies = readSplitSubset(
                    RunFolder{run}.split(), subset,
                    config.hasVotesHead() ? SplitRows::LabeledAndUnlabeled : SplitRows::Labeled);
                for (const LabeledGalaxy& g : galaxies) out->subsets.emplace(g.id, subset);
                out->rules = config.rules;
                if (windowData && isRunData(*windowData, config))
                    out->dataset = windowData;
                else
                    out->dataset =
                        loadDataset(DatasetLocation::csvFile(config.dataCsv, config.dataImages),
                                    config.rules, stop, progress);
            }
            out->predictions =
                predictCatalog(run, out->dataset->catalog, galaxies, workspace, tta, std::nullopt,
                               0, stop, progress, &out->skipped, CheckpointChoice::Best, decision);
            if (config.hasVotesHead())
                out->votes = evaluateVotes(out->predictions, out->dataset->catalog,
                                           readVotesMeanIfAny(RunFolder{run}.votesMean()));
            std::erase_if(out->predictions,
                          [](const Prediction& p) { return p.trueLabel == kUnlabeled; });
            // The model for the inspector's Grad-CAM, loaded once per run, here off the GUI thread.
            checkpoint(stop, progress, 0, 0, "Loading the model");
            out->model = model ? model : std::make_shared<const RunModel>(run, 1);
        },
        [this, out, run, what](const JobOutcome& outcome) {
            if (outcome.status == JobOutcome::Status::Succeeded) {
                QString text = tr("%1 on %2").arg(toQString(run.filename()), what.toLower());
                if (out->votes && out->votes->n > 0)
                    text += tr(" — vote fractions: RMSE %1 [%2, %3], the training mean's %4")
                                .arg(out->votes->rmse, 0, 'f', 3)
                                .arg(out->votes->rmseInterval.low, 0, 'f', 3)
                                .arg(out->votes->rmseInterval.high, 0, 'f', 3)
                                .arg(out->votes->baselineRmse, 0, 'f', 3);
                if (!out->skipped.empty())
                    text += tr(" — %n images skipped, e.g. %1", "",
                               static_cast<int>(out->skipped.size()))
                                .arg(QString::fromStdString(out->skipped.front()));
                showEvaluation(run, std::move(out->predictions), out->dataset, out->rules,
                               std::move(out->subsets), out->model, text);
            } else {
                // The results on screen stay: say which they are.
                const QString shown = result_
                                          ? tr("the results shown are still %1.").arg(shownWhat_)
                                          : tr("no results yet.");
                if (outcome.status == JobOutcome::Status::Failed)
                    setStatus(tr("Evaluation failed: %1 — %2").arg(outcome.error, shown), true);
                else
                    setStatus(tr("Evaluation cancelled; %1").arg(shown));
            }
            updateButtons();
        });
    if (!started) {
        setStatus(tr("Another job is running."), true);
        return false;
    }
    setStatus(tr("Evaluating…"));
    updateButtons();
    return true;
}

void EvaluationPanel::showEvaluation(const fs::path& run, std::vector<Prediction> predictions,
                                     std::shared_ptr<const LoadedDataset> dataset,
                                     const LabelRules& rules,
                                     std::unordered_map<std::int64_t, Subset> subsets,
                                     std::shared_ptr<const RunModel> model, const QString& what) {
    evaluatedRun_ = run;
    shownWhat_ = what;
    predictions_ = std::move(predictions);
    result_ = gz::evaluate(predictions_);
    dataset_ = std::move(dataset);
    if (model) {
        model_ = model;
        modelRun_ = run;
    }
    QString marksError;
    try {
        marks_ = std::make_shared<RunMarks>(run);
    } catch (const std::exception& e) {
        // A broken marks.csv is not overwritten: marking stays off until it is fixed.
        marks_.reset();
        marksError = QString::fromStdString(e.what());
    }
    inspector_->setContext(dataset_, rules, std::move(subsets), model, marks_);
    heatMap_->setResult(result_);
    fillMetrics();
    marksBar_->setMarks(marks_, dataset_,
                        marksError.isEmpty() ? QString() : tr("Marks unavailable (see above)."));
    if (!marksError.isEmpty())
        setStatus(tr("%1. Marks are off: %2").arg(what, marksError), true);
    else
        setStatus(what + tr(". Click a cell of the matrix to see its galaxies."));
    updateButtons();
    emit evaluated();
}

void EvaluationPanel::fillMetrics() {
    table_->setRowCount(result_ ? kMorphologyCount + 1 : 0);
    if (!result_) {
        summary_->setText(tr("<i>No evaluation yet.</i>"));
        return;
    }
    const EvaluationResult& r = *result_;
    summary_->setText(tr("<b>Accuracy %1</b> (95%: %2) &nbsp; macro F1 %3 (95%: %4) &nbsp; "
                         "%5 galaxies &nbsp; mean loss %6")
                          .arg(number(r.accuracy), interval(r.accuracyInterval), number(r.macroF1),
                               interval(r.macroF1Interval))
                          .arg(r.n)
                          .arg(number(r.meanLoss)));
    summary_->setToolTip(tr("95% intervals: Wilson score for the accuracy, percentile bootstrap "
                            "(%1 resamples of the galaxies) for the macro F1.")
                             .arg(EvaluationResult::kBootstrapResamples));
    auto cell = [this](int row, int column, const QString& text) {
        auto* item = new QTableWidgetItem(text);
        item->setTextAlignment(column == kClass ? Qt::AlignLeft | Qt::AlignVCenter
                                                : Qt::AlignRight | Qt::AlignVCenter);
        table_->setItem(row, column, item);
        return item;
    };
    for (int c = 0; c < kMorphologyCount; ++c) {
        const ClassMetrics& m = r.perClass[static_cast<std::size_t>(c)];
        cell(c, kClass, morphologyShortName(c))->setIcon(morphologySwatch(c));
        cell(c, kPrecision, number(m.precision));
        cell(c, kRecall, number(m.recall));
        cell(c, kRecallInterval, interval(m.recallInterval, 2));
        cell(c, kF1, number(m.f1));
        cell(c, kSupport, QString::number(m.support));
        cell(c, kAuc, number(m.auc));
    }
    QFont bold = table_->font();
    bold.setBold(true);
    cell(kMorphologyCount, kClass, tr("Macro"))->setFont(bold);
    double p = 0, rc = 0;
    for (const ClassMetrics& m : r.perClass) {
        p += m.precision;
        rc += m.recall;
    }
    cell(kMorphologyCount, kPrecision, number(p / kMorphologyCount));
    cell(kMorphologyCount, kRecall, number(rc / kMorphologyCount));
    cell(kMorphologyCount, kRecallInterval, QString());
    cell(kMorphologyCount, kF1, number(r.macroF1))->setFont(bold);
    cell(kMorphologyCount, kSupport, QString::number(r.n));
    cell(kMorphologyCount, kAuc, QString());
    int height = table_->horizontalHeader()->height() + 2 * table_->frameWidth();
    for (int row = 0; row < table_->rowCount(); ++row) height += table_->rowHeight(row);
    table_->setFixedHeight(height);
}

void EvaluationPanel::showCell(int trueClass, int predicted) {
    if (!result_) return;
    heatMap_->setSelectedCell(std::pair{trueClass, predicted});
    auto gallery = cellPredictions(predictions_, trueClass, predicted);
    const QString title =
        tr("True %1, predicted %2: %3 in all, %4 first.")
            .arg(morphologyShortName(trueClass), morphologyShortName(predicted))
            .arg(gallery.size())
            .arg(trueClass == predicted ? tr("most confident") : tr("most confident mistakes"));
    inspector_->setGallery(std::move(gallery), title);
}

bool EvaluationPanel::exportMarks(const fs::path& file) {
    return marksBar_->exportMarks(file);
}

}  // namespace gz::ui
