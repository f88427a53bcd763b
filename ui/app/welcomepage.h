#pragma once
// The page shown while no data set is loaded: open a data set, the demo, or a recent one.

#include <QList>
#include <QWidget>

#include <cstddef>

#include "dataset/loadeddataset.h"

class QCommandLinkButton;
class QLabel;
class QVBoxLayout;

namespace gz::ui {

class WelcomePage : public QWidget {
    Q_OBJECT

public:
    /// `demoGalaxies`: how many galaxies "Open the demo data" generates (shown to the user).
    explicit WelcomePage(std::size_t demoGalaxies, QWidget* parent = nullptr);

    void setRecent(const QList<DatasetLocation>& recent);
    /// Disables the buttons while a job runs.
    void setBusy(bool busy);

signals:
    void openDatasetRequested();
    void openDemoRequested();
    void openRecentRequested(const gz::ui::DatasetLocation& location);

private:
    QCommandLinkButton* openDatasetButton_ = nullptr;
    QCommandLinkButton* openDemoButton_ = nullptr;
    QWidget* recentBox_ = nullptr;
    QVBoxLayout* recentLayout_ = nullptr;
    QList<QWidget*> recentButtons_;
};

}  // namespace gz::ui
