#include "app/welcomepage.h"

#include <QCommandLinkButton>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

#include "app/application.h"
#include "common/uiformat.h"
#include "common/uistyle.h"

namespace gz::ui {

namespace {

// The widest a recent data set's line gets, in pixels.
constexpr int kRecentTextWidth = 560;

QLabel* makeLabel(const QString& text, qreal scale, bool bold, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    QFont font = label->font();
    font.setPointSizeF(font.pointSizeF() * scale);
    font.setBold(bold);
    label->setFont(font);
    return label;
}

}  // namespace

WelcomePage::WelcomePage(std::size_t demoGalaxies, QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("welcomePage"));
    setAttribute(Qt::WA_StyledBackground);
    setStyleSheet(
        QStringLiteral(
            "#welcomePage { background: qlineargradient(x1:0, y1:0, x2:0, y2:1,"
            "  stop:0 #f7f9fc, stop:1 #e9eef6); }"
            "#welcomeCard { background: white; border: 1px solid %1; border-radius: 12px; }"
            "#welcomeCard QCommandLinkButton { border: 1px solid #cfd8e3; border-radius: 8px;"
            "  background: #fbfcfe; padding: 10px 14px; }"
            "#welcomeCard QCommandLinkButton:hover { background: #eef4fc; border-color: #5b8def; }"
            "#welcomeCard QCommandLinkButton:disabled { background: #f3f4f6; }"
            "#welcomeRecent QPushButton { text-align: left; border: none; padding: 3px 6px;"
            "  color: #1f5fbf; }"
            "#welcomeRecent QPushButton:hover { text-decoration: underline; }"
            "#welcomeRecent QPushButton:disabled { color: %2; }")
            .arg(cardBorderColor().name(), disabledTextColor().name()));

    auto* card = new QFrame(this);
    card->setObjectName(QStringLiteral("welcomeCard"));
    card->setMaximumWidth(680);
    card->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);

    auto* icon = new QLabel(card);
    icon->setPixmap(applicationIcon().pixmap(88, 88));
    icon->setFixedSize(88, 88);
    auto* title = makeLabel(QStringLiteral("Galaxy Morphology Studio"), 1.9, true, card);
    title->setObjectName(QStringLiteral("welcomeTitle"));
    auto* subtitle = new QLabel(
        tr("Sort Galaxy Zoo 2 galaxies into five morphologies &mdash; round, in-between and "
           "cigar-shaped smooth, edge-on and spiral &mdash; and train a convolutional network to "
           "recognise them (Dai &amp; Tong, 2019)."),
        card);
    subtitle->setWordWrap(true);
    subtitle->setTextFormat(Qt::RichText);
    setMuted(subtitle);

    auto* heading = new QHBoxLayout;
    heading->setSpacing(18);
    heading->addWidget(icon, 0, Qt::AlignTop);
    auto* headingText = new QVBoxLayout;
    headingText->setSpacing(6);
    headingText->addWidget(title);
    headingText->addWidget(subtitle);
    heading->addLayout(headingText, 1);

    openDatasetButton_ = new QCommandLinkButton(
        tr("Open a data set…"),
        tr("A folder in the Kaggle “Galaxy Zoo” layout: training_solutions_rev1.csv and the "
           "images_training_rev1/ folder of <GalaxyID>.jpg images."),
        card);
    openDatasetButton_->setObjectName(QStringLiteral("welcomeOpenDatasetButton"));
    openDatasetButton_->setIcon(style()->standardIcon(QStyle::SP_DirOpenIcon));
    openDatasetButton_->setIconSize(QSize(32, 32));

    openDemoButton_ = new QCommandLinkButton(
        tr("Open the demo data"),
        tr("%1 synthetic galaxies of all five morphologies, generated on first use in the "
           "workspace: try every step without downloading anything.")
            .arg(QLocale().toString(static_cast<qulonglong>(demoGalaxies))),
        card);
    openDemoButton_->setObjectName(QStringLiteral("welcomeOpenDemoButton"));
    openDemoButton_->setIcon(applicationIcon());
    openDemoButton_->setIconSize(QSize(32, 32));

    for (QCommandLinkButton* button : {openDatasetButton_, openDemoButton_}) {
        QFont font = button->font();
        font.setPointSizeF(font.pointSizeF() * 1.08);
        button->setFont(font);
        button->setMinimumHeight(78);
        button->setCursor(Qt::PointingHandCursor);
    }
    connect(openDatasetButton_, &QCommandLinkButton::clicked, this,
            &WelcomePage::openDatasetRequested);
    connect(openDemoButton_, &QCommandLinkButton::clicked, this, &WelcomePage::openDemoRequested);

    recentBox_ = new QWidget(card);
    recentBox_->setObjectName(QStringLiteral("welcomeRecent"));
    recentLayout_ = new QVBoxLayout(recentBox_);
    recentLayout_->setContentsMargins(0, 8, 0, 0);
    recentLayout_->setSpacing(0);
    auto* recentTitle = makeLabel(tr("Recent data sets"), 1.0, true, recentBox_);
    setMuted(recentTitle);
    recentLayout_->addWidget(recentTitle);
    recentBox_->hide();

    auto* cardLayout = new QVBoxLayout(card);
    cardLayout->setContentsMargins(32, 28, 32, 28);
    cardLayout->setSpacing(14);
    cardLayout->addLayout(heading);
    cardLayout->addSpacing(8);
    cardLayout->addWidget(openDatasetButton_);
    cardLayout->addWidget(openDemoButton_);
    cardLayout->addWidget(recentBox_);

    auto* centering = new QHBoxLayout;
    centering->addStretch(1);
    centering->addWidget(card, 3);
    centering->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 24, 24, 24);
    layout->addStretch(1);
    layout->addLayout(centering);
    layout->addStretch(2);
}

void WelcomePage::setRecent(const QList<DatasetLocation>& recent) {
    qDeleteAll(recentButtons_);
    recentButtons_.clear();
    constexpr qsizetype kShown = 5;
    for (qsizetype i = 0; i < recent.size() && i < kShown; ++i) {
        const DatasetLocation location = recent[i];
        // A long path is cut in the middle (whole in the tooltip): it must not widen the window.
        const QString text = QStringLiteral("%1   —   %2")
                                 .arg(location.displayName(), toQString(location.mainPath()));
        auto* button = new QPushButton(recentBox_);
        button->setText(button->fontMetrics().elidedText(text, Qt::ElideMiddle, kRecentTextWidth));
        button->setCursor(Qt::PointingHandCursor);
        button->setFlat(true);
        button->setToolTip(toQString(location.mainPath()));
        connect(button, &QPushButton::clicked, this,
                [this, location] { emit openRecentRequested(location); });
        recentLayout_->addWidget(button);
        recentButtons_.append(button);
    }
    recentBox_->setVisible(!recentButtons_.isEmpty());
}

void WelcomePage::setBusy(bool busy) {
    openDatasetButton_->setEnabled(!busy);
    openDemoButton_->setEnabled(!busy);
    for (QWidget* button : recentButtons_) button->setEnabled(!busy);
}

}  // namespace gz::ui
