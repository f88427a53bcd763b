// galaxy-studio: the desktop application. Only command-line parsing lives here; the window and
// everything it does are in the ui library.

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QTimer>

#include <cstdio>
#include <cstring>
#include <memory>

#include "app/application.h"
#include "app/mainwindow.h"
#include "dataset/loadeddataset.h"
#include "gz/files.h"

namespace {

// --help and --version print and exit; they must work without a display.
bool onlyPrints(int argc, char* argv[]) {
    for (int i = 1; i < argc; ++i)
        for (const char* flag : {"-h", "-?", "--help", "--help-all", "-v", "--version"})
            if (std::strcmp(argv[i], flag) == 0) return true;
    return false;
}

}  // namespace

int main(int argc, char* argv[]) {
    gz::ui::setApplicationIdentity();
    std::unique_ptr<QCoreApplication> app;
    if (onlyPrints(argc, argv))
        app = std::make_unique<QCoreApplication>(argc, argv);
    else
        app = std::make_unique<QApplication>(argc, argv);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Galaxy Morphology Studio: label Galaxy Zoo 2 galaxies into five "
                       "morphologies and train a classifier (Dai & Tong, 2019)."));
    parser.addHelpOption();
    // Not addVersionOption(): --version names the libraries too.
    const QCommandLineOption versionOption(
        {QStringLiteral("v"), QStringLiteral("version")},
        QStringLiteral("Displays the version and those of Qt, OpenCV and LibTorch."));
    parser.addOption(versionOption);
    parser.addPositionalArgument(
        QStringLiteral("DATA_DIR"),
        QStringLiteral("A folder in the Kaggle layout (training_solutions_rev1.csv and "
                       "images_training_rev1/) or a vote CSV, opened at start."),
        QStringLiteral("[DATA_DIR]"));
    const QCommandLineOption demoOption(
        QStringLiteral("demo"),
        QStringLiteral("Open the demo data set, generating it in the workspace the first time."));
    const QCommandLineOption workspaceOption(
        QStringLiteral("workspace"),
        QStringLiteral("Folder for runs, caches and the demo data (default: %1).")
            .arg(QDir::toNativeSeparators(gz::ui::toQString(gz::defaultWorkspace()))),
        QStringLiteral("DIR"));
    parser.addOption(demoOption);
    parser.addOption(workspaceOption);
    parser.process(*app);  // exits after --help
    if (parser.isSet(versionOption)) {
        std::puts(qPrintable(gz::ui::versionReport()));
        return 0;
    }

    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1 || (parser.isSet(demoOption) && !positional.isEmpty())) {
        std::fputs("galaxy-studio: give either one DATA_DIR or --demo (see --help)\n", stderr);
        return 2;
    }

    gz::ui::configureApplication(*static_cast<QApplication*>(app.get()));
    gz::ui::MainWindowOptions options;
    if (parser.isSet(workspaceOption))
        options.workspace = gz::ui::toPath(QDir(parser.value(workspaceOption)).absolutePath());

    gz::ui::MainWindow window(options);
    window.show();

    // Start once the event loop runs, so the window is up before the job's first progress.
    QTimer::singleShot(0, &window, [&] {
        if (parser.isSet(demoOption))
            window.openDemo();
        else if (!positional.isEmpty())
            window.openPath(QDir(positional.front()).absolutePath());
    });
    return QApplication::exec();
}
