#include "explore/suspectspanel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QStringList>
#include <QVBoxLayout>

#include <unordered_map>

#include "common/formcontrols.h"
#include "common/jobrunner.h"
#include "common/morphologycolors.h"
#include "common/uiformat.h"
#include "common/uistyle.h"
#include "dataset/labelingsession.h"
#include "evaluation/marksbar.h"
#include "evaluation/misclassifiedinspector.h"
#include "gz/error.h"
#include "gz/run_marks.h"

namespace gz::ui {
namespace fs = std::filesystem;

namespace {

// "A few minutes in all on 2 cores", as galaxy-cli suspects.
constexpr double kDefaultMinutes = 4;

}  // namespace

SuspectsPanel::SuspectsPanel(JobRunner* runner, fs::path workspace, LabelingSession* session,
                             QWidget* parent)
    : QWidget(parent), runner_(runner), workspace_(std::move(workspace)), session_(session) {
    setObjectName(QStringLiteral("suspectsPanel"));

    folds_ = new QSpinBox;
    folds_->setObjectName(QStringLiteral("suspectFolds"));
    folds_->setRange(2, 20);
    folds_->setValue(5);
    folds_->setToolTip(
        tr("Cross-validation folds: each fold's galaxies are predicted by a model trained on "
           "the others"));
    minutes_ = new QDoubleSpinBox;
    minutes_->setObjectName(QStringLiteral("suspectMinutes"));
    minutes_->setRange(0.1, 600);
    minutes_->setDecimals(1);
    minutes_->setValue(kDefaultMinutes);
    minutes_->setSuffix(tr(" min"));
    minutes_->setToolTip(
        tr("Training time of all folds together, with the Training panel's settings"));
    findButton_ = new QPushButton(tr("Find suspects"));
    findButton_->setObjectName(QStringLiteral("findSuspectsButton"));
    connect(findButton_, &QPushButton::clicked, this, &SuspectsPanel::findSuspects);
    searches_ = new QComboBox;
    searches_->setObjectName(QStringLiteral("suspectSearches"));
    searches_->setToolTip(tr("Open an earlier search of this workspace"));
    connect(searches_, &QComboBox::activated, this, [this](int index) {
        if (index > 0) openSearch(toPath(searches_->itemData(index).toString()));
    });

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Folds")));
    top->addWidget(folds_);
    top->addWidget(new QLabel(tr("Time")));
    top->addWidget(minutes_);
    top->addWidget(findButton_);
    top->addSpacing(12);
    top->addWidget(searches_, 1);

    statusLabel_ = makeTextLabel(QStringLiteral("suspectsStatus"));
    summary_ = makeTextLabel(QStringLiteral("suspectsSummary"));
    auto* hint = new QLabel(
        tr("J / K: next / previous · L: label looks wrong · M: model wrong · 0: clear the mark. "
           "The data set is never changed: export the marked galaxies for curation."));
    hint->setWordWrap(true);
    setMuted(hint);

    inspector_ = new MisclassifiedInspector;
    inspector_->setObjectName(QStringLiteral("suspectsInspector"));
    marksBar_ = new MarksBar;
    connect(marksBar_, &MarksBar::message, this, &SuspectsPanel::setStatus);
    connect(inspector_, &MisclassifiedInspector::marksChanged, marksBar_, &MarksBar::refresh);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(statusLabel_);
    layout->addWidget(summary_);
    layout->addWidget(hint);
    layout->addWidget(inspector_, 1);
    layout->addWidget(marksBar_);

    connect(session_, &LabelingSession::datasetChanged, this, [this] { updateButtons(); });
    connect(session_, &LabelingSession::labelingChanged, this, [this] { updateButtons(); });
    if (runner_) {
        connect(runner_, &JobRunner::started, this, [this] { updateButtons(); });
        connect(runner_, &JobRunner::finished, this, [this] { updateButtons(); });
    }
    setStatus(
        tr("Find the labels of the open data set that are probably wrong: each galaxy is "
           "predicted by a model that never saw it, and those whose label the model doubts most "
           "come first."));
    refreshSearches();
    updateButtons();
}

void SuspectsPanel::setConfigSource(std::function<TrainConfig()> source) {
    configSource_ = std::move(source);
}

void SuspectsPanel::setFolds(int folds) {
    folds_->setValue(folds);
}

void SuspectsPanel::setMinutes(double minutes) {
    minutes_->setValue(minutes);
}

void SuspectsPanel::setStatus(const QString& text, bool error) {
    status_ = text;
    setStatusText(statusLabel_, text, error ? StatusTone::Error : StatusTone::Normal);
}

void SuspectsPanel::updateButtons() {
    const bool busy = runner_ && runner_->isRunning();
    const auto& dataset = session_->dataset();
    QString why;
    if (!dataset)
        why = tr("Open a data set first.");
    else if (!session_->labeling())
        why = tr("The current label rules cannot label this data set.");
    else if (!dataset->catalog.imageDir())
        why = tr("The data set has no image folder: training needs the images.");
    else if (busy)
        why = tr("Another job is running.");
    findButton_->setEnabled(why.isEmpty());
    findButton_->setToolTip(
        why.isEmpty() ? tr("Train one model per fold and rank the labels they doubt") : why);
}

void SuspectsPanel::refreshSearches() {
    const QString shown = search_ ? toQString(search_->folder) : QString();
    searches_->clear();
    searches_->addItem(tr("Earlier searches…"));
    for (const fs::path& folder : suspectSearches(workspace_))
        searches_->addItem(toQString(folder.filename()), toQString(folder));
    const int index = shown.isEmpty() ? -1 : searches_->findData(shown);
    searches_->setCurrentIndex(index > 0 ? index : 0);
    searches_->setEnabled(searches_->count() > 1);
}

bool SuspectsPanel::findSuspects() {
    updateButtons();
    if (!runner_ || !findButton_->isEnabled()) {
        setStatus(findButton_->toolTip(), true);
        return false;
    }
    const auto dataset = session_->dataset();
    const auto labeling = session_->labeling();
    SuspectOptions options;
    options.folds = folds_->value();
    options.training = configSource_ ? configSource_() : TrainConfig{};
    options.training.rules = session_->rules();
    options.training.minutes = minutes_->value();
    try {
        options.training.validate();
    } catch (const DataError& e) {
        setStatus(QString::fromStdString(e.what()), true);
        return false;
    }
    auto found = std::make_shared<SuspectSearch>();
    const fs::path workspace = workspace_;
    const bool started = runner_->start(
        tr("Finding suspected labels"),
        [=](const std::stop_token& stop, const ProgressFn& progress) {
            const Catalog& catalog = dataset->catalog;
            *found = gz::findSuspects(catalog, labeledGalaxies(catalog, *labeling), workspace,
                                      options, stop, progress);
        },
        [this, found, dataset](const JobOutcome& outcome) {
            refreshSearches();
            if (outcome.status == JobOutcome::Status::Succeeded) {
                if (dataset == session_->dataset()) showSearch(std::move(*found));
            } else if (outcome.status == JobOutcome::Status::Failed) {
                setStatus(tr("The search failed: %1").arg(outcome.error), true);
            } else if (outcome.status == JobOutcome::Status::Cancelled) {
                setStatus(tr("The search was cancelled."));
            }
            updateButtons();
        });
    if (!started) {
        setStatus(tr("Another job is running."), true);
        return false;
    }
    setStatus(tr("Training %1 models, one per fold (%2 in all)…")
                  .arg(options.folds)
                  .arg(formatDuration(options.training.minutes * 60)));
    updateButtons();
    return true;
}

bool SuspectsPanel::openSearch(const fs::path& folder) {
    if (!session_->dataset()) {
        setStatus(tr("Open the data set the search was made on first."), true);
        return false;
    }
    try {
        showSearch(readSuspectSearch(folder));
    } catch (const std::exception& e) {
        setStatus(tr("Cannot open the search: %1").arg(QString::fromStdString(e.what())), true);
        return false;
    }
    return true;
}

void SuspectsPanel::showSearch(SuspectSearch search) {
    const auto& dataset = session_->dataset();
    search_ = std::move(search);
    const SuspectSearch& s = *search_;
    // The gallery: each suspect's out-of-sample prediction (its given label as the true one).
    std::unordered_map<std::int64_t, const Prediction*> byId;
    for (const Prediction& p : s.outOfSample) byId.emplace(p.id, &p);
    std::vector<Prediction> gallery;
    std::size_t elsewhere = 0;
    for (const Suspect& x : s.suspects) {
        if (!dataset->catalog.rowOf(x.id)) {
            ++elsewhere;
            continue;
        }
        gallery.push_back(*byId.at(x.id));
    }
    QString marksError;
    try {
        marks_ = std::make_shared<RunMarks>(s.folder);
    } catch (const std::exception& e) {
        // A broken marks.csv is not overwritten: marking stays off until it is fixed.
        marks_.reset();
        marksError = QString::fromStdString(e.what());
    }
    inspector_->setContext(dataset, session_->rules(), {}, nullptr, marks_);
    inspector_->setGallery(std::move(gallery), tr("%n suspects, most doubted label first", "",
                                                  static_cast<int>(s.suspects.size() - elsewhere)));
    marksBar_->setMarks(marks_, dataset,
                        marksError.isEmpty() ? QString() : tr("Marks unavailable (see above)."));

    QStringList thresholds;
    for (int c = 0; c < kMorphologyCount; ++c)
        thresholds << QStringLiteral("%1 %2").arg(
            morphologyShortName(c),
            QLocale().toString(s.thresholds[static_cast<std::size_t>(c)], 'f', 2));
    summary_->setText(
        tr("%1 suspects among %2 labeled galaxies, each predicted by a model that never saw it. "
           "A class's threshold is its mean probability over the galaxies labeled with it: %3.")
            .arg(formatCount(s.suspects.size()), formatCount(s.outOfSample.size()),
                 thresholds.join(QStringLiteral(" · "))));
    QString text = tr("Search %1.").arg(toQString(s.folder.filename()));
    if (elsewhere)
        text += tr(" %n of its galaxies are not in the open data set (it was made on another).", "",
                   static_cast<int>(elsewhere));
    if (!marksError.isEmpty()) text += tr(" Marks are off: %1").arg(marksError);
    setStatus(text, elsewhere > 0 || !marksError.isEmpty());
    refreshSearches();
    emit searchShown();
}

bool SuspectsPanel::exportMarks(const fs::path& file) {
    return marksBar_->exportMarks(file);
}

}  // namespace gz::ui
