#include "app/mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <utility>

#include "app/application.h"
#include "app/recentdatasets.h"
#include "app/shortcutsdialog.h"
#include "app/welcomepage.h"
#include "common/shortcuts.h"
#include "common/uiformat.h"
#include "dataset/datasetpanel.h"
#include "evaluation/predictionpanel.h"
#include "gz/files.h"

namespace gz::ui {

namespace {

const QString kGeometryKey = QStringLiteral("mainWindow/geometry");
const QString kStateKey = QStringLiteral("mainWindow/state");
const QString kLastFolderKey = QStringLiteral("mainWindow/lastFolder");
constexpr int kProgressSteps = 1000;
constexpr int kStatusTimeoutMs = 8000;

QString imageFolderBeside(const QString& csv) {
    const QDir dir = QFileInfo(csv).absoluteDir();
    const QString images = QString::fromLatin1(kKaggleImageDirName.data(),
                                               static_cast<qsizetype>(kKaggleImageDirName.size()));
    return dir.exists(images) ? dir.filePath(images) : QString();
}

}  // namespace

MainWindow::MainWindow(MainWindowOptions options, QWidget* parent)
    : QMainWindow(parent), options_(std::move(options)) {
    setObjectName(QStringLiteral("mainWindow"));
    if (options_.workspace.empty()) options_.workspace = defaultWorkspace();
    setWindowTitle(QStringLiteral("Galaxy Morphology Studio"));
    setWindowIcon(applicationIcon());
    setAcceptDrops(true);

    runner_ = new JobRunner(this);
    connect(runner_, &JobRunner::started, this, &MainWindow::onJobStarted);
    connect(runner_, &JobRunner::progressed, this, &MainWindow::onJobProgress);
    connect(runner_, &JobRunner::stopRequestedChanged, this, [this] {
        jobLabel_->setText(tr("Cancelling…"));
        cancelButton_->setEnabled(false);
    });
    connect(runner_, &JobRunner::finished, this, [this](const JobOutcome& outcome) {
        // An error stays in the status bar only until the next job succeeds.
        if (outcome.status == JobOutcome::Status::Succeeded &&
            statusBar()->currentMessage() == errorStatus(lastError_))
            statusBar()->clearMessage();
        onJobFinished();
        emit jobFinished(outcome);
    });

    welcome_ = new WelcomePage(options_.demo.count);
    connect(welcome_, &WelcomePage::openDatasetRequested, this, &MainWindow::chooseDataset);
    connect(welcome_, &WelcomePage::openDemoRequested, this, &MainWindow::openDemo);
    connect(welcome_, &WelcomePage::openRecentRequested, this, &MainWindow::openLocation);

    // Panels are tabs: Dataset, then the training panels, then the evaluation panels.
    panels_ = new QTabWidget;
    panels_->setObjectName(QStringLiteral("panelTabs"));
    panels_->setDocumentMode(true);
    datasetPanel_ = new DatasetPanel;
    panels_->addTab(datasetPanel_, tr("Dataset"));
    connectDatasetPanel();
    createTrainingPanels();
    createEvaluationPanels();
    createExplorePanels();

    centralStack_ = new QStackedWidget;
    centralStack_->setObjectName(QStringLiteral("centralStack"));
    centralStack_->addWidget(welcome_);
    centralStack_->addWidget(panels_);
    setCentralWidget(centralStack_);

    createActions();
    createMenus();
    createStatusBar();
    rebuildRecent();
    restoreWindowState();
    statusBar()->showMessage(
        tr("Workspace: %1").arg(QDir::toNativeSeparators(toQString(options_.workspace))),
        kStatusTimeoutMs);
}

MainWindow::~MainWindow() {
    // Stops and waits for a job still running, before any widget it reports to is gone.
    runner_->disconnect(this);
    delete runner_;
}

void MainWindow::createActions() {
    openDatasetAction_ = new QAction(tr("&Open Data Set…"), this);
    openDatasetAction_->setShortcut(shortcutKeys(Shortcut::OpenDataset));
    openDatasetAction_->setStatusTip(
        tr("Open a folder with training_solutions_rev1.csv and images_training_rev1/"));
    connect(openDatasetAction_, &QAction::triggered, this, &MainWindow::chooseDataset);

    openCsvAction_ = new QAction(tr("Open &CSV…"), this);
    openCsvAction_->setShortcut(shortcutKeys(Shortcut::OpenCsv));
    openCsvAction_->setStatusTip(tr("Open a vote-fraction CSV, with or without its images"));
    connect(openCsvAction_, &QAction::triggered, this, &MainWindow::chooseCsv);

    openDemoAction_ = new QAction(tr("Open &Demo Data"), this);
    openDemoAction_->setStatusTip(tr("Generate (first time only) and open synthetic galaxies"));
    connect(openDemoAction_, &QAction::triggered, this, &MainWindow::openDemo);

    quitAction_ = new QAction(tr("&Quit"), this);
    quitAction_->setShortcut(shortcutKeys(Shortcut::Quit));
    quitAction_->setMenuRole(QAction::QuitRole);
    connect(quitAction_, &QAction::triggered, this, &QWidget::close);

    aboutAction_ = new QAction(tr("&About Galaxy Morphology Studio"), this);
    aboutAction_->setObjectName(QStringLiteral("aboutAction"));
    aboutAction_->setMenuRole(QAction::AboutRole);
    connect(aboutAction_, &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::createMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(openDatasetAction_);
    file->addAction(openCsvAction_);
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    recentMenu_->setObjectName(QStringLiteral("recentMenu"));
    file->addSeparator();
    file->addAction(openDemoAction_);
    file->addSeparator();
    // Prediction needs a trained run, not an open data set (mainwindow_evaluation.cpp).
    QAction* predict = file->addAction(tr("&Predict Images…"), this, [this] {
        centralStack_->setCurrentWidget(panels_);
        showPanel(predictionPanel_);
    });
    predict->setObjectName(QStringLiteral("predictImagesAction"));
    file->addSeparator();
    file->addAction(quitAction_);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* keys = help->addAction(tr("&Keyboard Shortcuts"), this, [this] {
        auto* dialog = new ShortcutsDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
    keys->setObjectName(QStringLiteral("keyboardShortcutsAction"));
    help->addAction(aboutAction_);
}

void MainWindow::createStatusBar() {
    jobLabel_ = new QLabel;
    jobLabel_->setObjectName(QStringLiteral("jobLabel"));
    progressBar_ = new QProgressBar;
    progressBar_->setObjectName(QStringLiteral("jobProgressBar"));
    progressBar_->setFixedWidth(220);
    progressBar_->setMaximumHeight(18);
    progressBar_->setTextVisible(true);
    cancelButton_ = new QPushButton(tr("Cancel"));
    cancelButton_->setObjectName(QStringLiteral("jobCancelButton"));
    cancelButton_->setToolTip(tr("Stop the running job; the current data set stays open"));
    connect(cancelButton_, &QPushButton::clicked, this, &MainWindow::cancelJob);
    statusBar()->addPermanentWidget(jobLabel_);
    statusBar()->addPermanentWidget(progressBar_);
    statusBar()->addPermanentWidget(cancelButton_);
    for (QWidget* w : {static_cast<QWidget*>(jobLabel_), static_cast<QWidget*>(progressBar_),
                       static_cast<QWidget*>(cancelButton_)})
        w->hide();
}

void MainWindow::restoreWindowState() {
    QSettings settings;
    if (!restoreGeometry(settings.value(kGeometryKey).toByteArray())) resize(1400, 880);
    restoreState(settings.value(kStateKey).toByteArray());
}

void MainWindow::saveWindowState() const {
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
}

// --- opening -------------------------------------------------------------------------------

void MainWindow::chooseDataset() {
    if (isBusy()) return;
    QSettings settings;
    const QString folder = QFileDialog::getExistingDirectory(
        this, tr("Open a Galaxy Zoo data folder"), settings.value(kLastFolderKey).toString());
    if (folder.isEmpty()) return;
    settings.setValue(kLastFolderKey, folder);
    openDataset(folder);
}

void MainWindow::chooseCsv() {
    if (isBusy()) return;
    QSettings settings;
    const QString csv = QFileDialog::getOpenFileName(this, tr("Open a vote-fraction CSV"),
                                                     settings.value(kLastFolderKey).toString(),
                                                     tr("CSV files (*.csv);;All files (*)"));
    if (csv.isEmpty()) return;
    settings.setValue(kLastFolderKey, QFileInfo(csv).absolutePath());
    QString images = imageFolderBeside(csv);
    if (images.isEmpty()) {
        const auto answer = QMessageBox::question(
            this, tr("Image folder"),
            tr("There is no %1 folder beside this CSV. Choose the folder of <GalaxyID>.jpg "
               "images? Without images the catalog can be labeled but not trained on.")
                .arg(QString::fromLatin1(kKaggleImageDirName.data(),
                                         static_cast<qsizetype>(kKaggleImageDirName.size()))),
            QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
        if (answer == QMessageBox::Yes)
            images = QFileDialog::getExistingDirectory(this, tr("Folder of galaxy images"),
                                                       QFileInfo(csv).absolutePath());
    }
    openCsv(csv, images);
}

bool MainWindow::openDataset(const QString& folder) {
    return openLocation(DatasetLocation::kaggleFolder(toPath(QDir::cleanPath(folder))));
}

bool MainWindow::openCsv(const QString& csv, const QString& imageDir) {
    return openLocation(DatasetLocation::csvFile(
        toPath(QDir::cleanPath(csv)),
        imageDir.isEmpty() ? std::nullopt : std::optional(toPath(QDir::cleanPath(imageDir)))));
}

bool MainWindow::openPath(const QString& path) {
    if (QFileInfo(path).isFile()) return openCsv(path, imageFolderBeside(path));
    return openDataset(path);
}

bool MainWindow::openLocation(const DatasetLocation& location) {
    const LabelRules rules = LabelRules::defaults();
    return startLoading(tr("Opening %1").arg(location.displayName()), location.displayName(),
                        [location, rules](const std::stop_token& stop, const ProgressFn& progress) {
                            return loadDataset(location, rules, stop, progress);
                        });
}

bool MainWindow::openDemo() {
    const std::filesystem::path dir = demoDatasetDir(options_.workspace);
    const DemoOptions demo = options_.demo;
    // The check is repeated in the job; here it only chooses the words the user sees.
    const QString title =
        demoDatasetComplete(dir) ? tr("Opening the demo data") : tr("Generating the demo data");
    return startLoading(title, tr("the demo data"),
                        [dir, demo](const std::stop_token& stop, const ProgressFn& progress) {
                            return loadDemoDataset(dir, demo, stop, progress);
                        });
}

bool MainWindow::startLoading(
    const QString& title, const QString& what,
    std::function<std::shared_ptr<const LoadedDataset>(const std::stop_token&, const ProgressFn&)>
        load) {
    if (isBusy()) {
        statusBar()->showMessage(
            tr("Busy: %1. Wait for it or cancel it first.").arg(runner_->title()),
            kStatusTimeoutMs);
        return false;
    }
    auto result = std::make_shared<std::shared_ptr<const LoadedDataset>>();
    return runner_->start(
        title,
        [result, load = std::move(load)](const std::stop_token& stop, const ProgressFn& progress) {
            *result = load(stop, progress);
        },
        [this, result, what](const JobOutcome& outcome) {
            switch (outcome.status) {
                case JobOutcome::Status::Succeeded:
                    showDataset(*result);
                    break;
                case JobOutcome::Status::Cancelled:
                    statusBar()->showMessage(dataset_ ? tr("Cancelled; %1 is still open.")
                                                            .arg(dataset_->location.displayName())
                                                      : tr("Cancelled."),
                                             kStatusTimeoutMs);
                    break;
                case JobOutcome::Status::Failed:
                    showError(tr("Could not open %1").arg(what), outcome.error);
                    break;
            }
        });
}

void MainWindow::showDataset(std::shared_ptr<const LoadedDataset> dataset) {
    dataset_ = std::move(dataset);
    datasetPanel_->setDataset(dataset_);
    centralStack_->setCurrentWidget(panels_);
    panels_->setCurrentWidget(datasetPanel_);
    setWindowTitle(tr("%1 — Galaxy Morphology Studio").arg(dataset_->location.displayName()));
    RecentDatasets::add(dataset_->location);
    rebuildRecent();
    QString message =
        tr("Opened %1: %2 galaxies")
            .arg(dataset_->location.displayName(),
                 QLocale().toString(static_cast<qulonglong>(dataset_->catalog.size())));
    if (!dataset_->labeling) message += tr(" (labeling refused: see the Dataset panel)");
    statusBar()->showMessage(message, kStatusTimeoutMs);
    emit datasetChanged(dataset_);
}

QString MainWindow::errorStatus(const QString& message) const {
    return tr("Error: %1").arg(message);
}

void MainWindow::showError(const QString& headline, const QString& message) {
    lastError_ = message;
    statusBar()->showMessage(errorStatus(message));
    if (!errorBox_) {
        errorBox_ = new QMessageBox(QMessageBox::Warning, tr("Galaxy Morphology Studio"), {},
                                    QMessageBox::Ok, this);
        errorBox_->setObjectName(QStringLiteral("errorMessageBox"));
        errorBox_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }
    errorBox_->setText(headline);
    errorBox_->setInformativeText(
        message +
        (dataset_ ? tr("\n\n%1 is still open.").arg(dataset_->location.displayName()) : QString()));
    errorBox_->open();  // window-modal and non-blocking
}

void MainWindow::rebuildRecent() {
    const QList<DatasetLocation> recent = RecentDatasets::load();
    recentMenu_->clear();
    for (const DatasetLocation& location : recent) {
        QAction* action = recentMenu_->addAction(
            QStringLiteral("%1   (%2)")
                .arg(location.displayName(),
                     QDir::toNativeSeparators(toQString(location.mainPath()))));
        connect(action, &QAction::triggered, this, [this, location] { openLocation(location); });
    }
    if (!recent.isEmpty()) {
        recentMenu_->addSeparator();
        recentMenu_->addAction(tr("Clear Recent"), this, [this] {
            RecentDatasets::clear();
            rebuildRecent();
        });
    }
    recentMenu_->setEnabled(!recent.isEmpty() && !isBusy());
    welcome_->setRecent(recent);
}

void MainWindow::showAbout() {
    QStringList libraries;
    for (const auto& library : libraryVersions())
        libraries << QString::fromStdString(library.name + " " + library.version).toHtmlEscaped();
    QMessageBox::about(
        this, tr("About Galaxy Morphology Studio"),
        tr("<h3>Galaxy Morphology Studio %1</h3>"
           "<p>Labels Galaxy Zoo 2 galaxies into five morphologies and trains a convolutional "
           "network to classify them, after Dai &amp; Tong, <i>Galaxy morphology classification "
           "with deep convolutional neural networks</i>, Astrophysics and Space Science 364:55 "
           "(2019).</p><p>Workspace: %2</p><p>Running with %3.</p>")
            .arg(applicationVersion(),
                 QDir::toNativeSeparators(toQString(options_.workspace)).toHtmlEscaped(),
                 libraries.join(QStringLiteral(", "))));
}

// --- jobs ----------------------------------------------------------------------------------

bool MainWindow::isBusy() const {
    return runner_->isRunning();
}

void MainWindow::cancelJob() {
    runner_->requestStop();
}

void MainWindow::onJobStarted(const QString& title) {
    setBusy(true);
    jobLabel_->setText(title + QStringLiteral("…"));
    progressBar_->setRange(0, 0);  // busy until the first progress report
    progressBar_->setValue(0);
    cancelButton_->setEnabled(true);
    for (QWidget* w : {static_cast<QWidget*>(jobLabel_), static_cast<QWidget*>(progressBar_),
                       static_cast<QWidget*>(cancelButton_)})
        w->show();
}

void MainWindow::onJobProgress(qint64 done, qint64 total, const QString& message) {
    if (runner_->stopRequested()) return;
    const QString title = runner_->title();
    jobLabel_->setText(message.isEmpty() ? title + QStringLiteral("…")
                                         : QStringLiteral("%1: %2").arg(title, message));
    if (total > 0) {
        progressBar_->setRange(0, kProgressSteps);
        progressBar_->setValue(
            static_cast<int>(std::min<qint64>(done, total) * kProgressSteps / total));
    } else {
        progressBar_->setRange(0, 0);
    }
}

void MainWindow::onJobFinished() {
    for (QWidget* w : {static_cast<QWidget*>(jobLabel_), static_cast<QWidget*>(progressBar_),
                       static_cast<QWidget*>(cancelButton_)})
        w->hide();
    setBusy(false);
    if (closeWhenJobEnds_) QTimer::singleShot(0, this, &QWidget::close);
}

void MainWindow::setBusy(bool busy) {
    for (QAction* action : {openDatasetAction_, openCsvAction_, openDemoAction_})
        action->setEnabled(!busy);
    recentMenu_->setEnabled(!busy && !recentMenu_->isEmpty());
    welcome_->setBusy(busy);
}

// --- closing and dropping ------------------------------------------------------------------

void MainWindow::closeEvent(QCloseEvent* event) {
    if (isBusy()) {
        event->ignore();
        if (!closeWhenJobEnds_) confirmCloseWhileBusy();
        return;
    }
    saveWindowState();
    event->accept();
}

void MainWindow::confirmCloseWhileBusy() {
    if (!closeBox_) {
        closeBox_ = new QMessageBox(QMessageBox::Question, tr("Quit Galaxy Morphology Studio"), {},
                                    QMessageBox::Yes | QMessageBox::No, this);
        closeBox_->setObjectName(QStringLiteral("confirmCloseBox"));
        closeBox_->setDefaultButton(QMessageBox::No);
        closeBox_->button(QMessageBox::Yes)->setText(tr("Cancel Job and Quit"));
        closeBox_->button(QMessageBox::No)->setText(tr("Keep Working"));
        connect(closeBox_, &QMessageBox::finished, this, [this](int result) {
            if (result != QMessageBox::Yes) return;
            if (!isBusy()) {
                close();
                return;
            }
            // Quit only once the job has stopped cleanly (onJobFinished closes the window).
            closeWhenJobEnds_ = true;
            cancelJob();
            statusBar()->showMessage(tr("Stopping the job, then quitting…"));
        });
    }
    closeBox_->setText(tr("“%1” is still running.").arg(runner_->title()));
    closeBox_->setInformativeText(tr("Cancel it and quit once it has stopped?"));
    closeBox_->open();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (!isBusy() && urls.size() == 1 && urls.front().isLocalFile()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.size() != 1 || !urls.front().isLocalFile()) return;
    event->acceptProposedAction();
    openPath(urls.front().toLocalFile());
}

}  // namespace gz::ui
