#include "dataset/galaxydetails.h"

#include <QLabel>
#include <QLocale>
#include <QTextDocument>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <string>

#include "common/formcontrols.h"
#include "common/morphologycolors.h"
#include "common/uistyle.h"
#include "dataset/votefractiontree.h"

namespace gz::ui {

namespace {

struct Question {
    const char* title;
    std::array<const char*, 7> answers;
};

// The Galaxy Zoo 2 decision tree (Willett et al. 2013) as the catalog's vote columns number it:
// questions 1-11 and their answers in column order (Class<q>.<a>).
const std::array<Question, 11> kQuestions = {{
    {"Is the galaxy simply smooth and rounded, with no sign of a disk?",
     {"smooth", "features or disk", "star or artifact"}},
    {"Could this be a disk viewed edge-on?", {"yes", "no"}},
    {"Is there a sign of a bar through the centre?", {"bar", "no bar"}},
    {"Is there any sign of a spiral arm pattern?", {"spiral", "no spiral"}},
    {"How prominent is the central bulge?", {"no bulge", "just noticeable", "obvious", "dominant"}},
    {"Is there anything odd?", {"yes", "no"}},
    {"How rounded is it?", {"completely round", "in between", "cigar-shaped"}},
    {"Is the odd feature a ring, or is the galaxy disturbed or irregular?",
     {"ring", "lens or arc", "disturbed", "irregular", "other", "merger", "dust lane"}},
    {"Does the galaxy have a bulge at its centre? If so, what shape?",
     {"rounded", "boxy", "no bulge"}},
    {"How tightly wound do the spiral arms appear?", {"tight", "medium", "loose"}},
    {"How many spiral arms are there?",
     {"one", "two", "three", "four", "more than four", "can't tell"}},
}};

// "Class7.3" -> (7, 3).
std::pair<int, int> questionAnswer(std::string_view column) {
    const auto dot = column.find('.');
    return {std::stoi(std::string(column.substr(5, dot - 5))),
            std::stoi(std::string(column.substr(dot + 1)))};
}

QString fraction(double v) {
    return VoteFractionTree::formatFraction(v);
}

}  // namespace

QString GalaxyDetails::questionTitle(int question) {
    return QStringLiteral("Q%1 %2").arg(question).arg(
        QString::fromLatin1(kQuestions[static_cast<std::size_t>(question - 1)].title));
}

QString GalaxyDetails::answerTitle(std::size_t voteColumn) {
    const auto [q, a] = questionAnswer(kVoteColumns[voteColumn]);
    return QString::fromLatin1(
        kQuestions[static_cast<std::size_t>(q - 1)].answers[static_cast<std::size_t>(a - 1)]);
}

QString GalaxyDetails::voteTitle(std::size_t voteColumn) {
    const int question = questionAnswer(kVoteColumns[voteColumn]).first;
    return tr("%1 — %2").arg(questionTitle(question), answerTitle(voteColumn));
}

GalaxyDetails::GalaxyDetails(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("galaxyDetails"));
    title_ = new QLabel;
    title_->setObjectName(QStringLiteral("galaxyDetailsTitle"));
    QFont titleFont = title_->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    titleFont.setBold(true);
    title_->setFont(titleFont);
    title_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    badge_ = new QLabel;
    badge_->setObjectName(QStringLiteral("galaxyLabelBadge"));
    subset_ = new QLabel;
    subset_->setObjectName(QStringLiteral("galaxySubsetLabel"));
    setMuted(subset_);

    reason_ = makeTextLabel(QStringLiteral("galaxyLabelReason"));
    reason_->setTextFormat(Qt::RichText);
    reason_->setStyleSheet(
        QStringLiteral(
            "QLabel { background: #f7f9fc; border: 1px solid #dde3ea; border-radius: 6px;"
            " padding: 8px; color: %1; }")
            .arg(textColor().name()));

    votes_ = new VoteFractionTree;

    auto* heading = new QHBoxLayout;
    heading->addWidget(title_);
    heading->addWidget(badge_);
    heading->addStretch(1);
    heading->addWidget(subset_);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(8);
    layout->addLayout(heading);
    layout->addWidget(reason_);
    layout->addWidget(votes_, 1);
    clear(tr("Select a galaxy to see its votes and label."));
}

void GalaxyDetails::clear(const QString& message) {
    label_.reset();
    title_->setText(tr("No galaxy"));
    badge_->clear();
    badge_->setStyleSheet({});
    subset_->clear();
    reason_->setText(message.toHtmlEscaped());
    votes_->clearFractions();
}

void GalaxyDetails::showPredictedFractions(const std::vector<float>& fractions) {
    votes_->setPredicted(fractions);
}

std::optional<double> GalaxyDetails::shownPrediction(std::size_t voteColumn) const {
    return votes_->predicted(voteColumn);
}

QString GalaxyDetails::reasonText() const {
    QTextDocument doc;
    doc.setHtml(reason_->text());
    return doc.toPlainText();
}

void GalaxyDetails::showGalaxy(const std::shared_ptr<const LoadedDataset>& dataset, std::size_t row,
                               const LabelRules& rules, const QString& labelingError,
                               std::optional<Subset> subset) {
    if (!dataset || row >= dataset->catalog.size()) {
        clear(tr("Select a galaxy to see its votes and label."));
        return;
    }
    const Catalog& catalog = dataset->catalog;
    title_->setText(tr("Galaxy %1").arg(catalog.id(row)));
    subset_->setText(subset ? tr("split: %1")
                                  .arg(QString::fromLatin1(
                                      kSubsetKeys[static_cast<std::size_t>(*subset)].data()))
                            : QString());

    // Label and reason.
    std::set<std::string> ruleColumns;  // columns the rules read, highlighted below
    for (const LabelRule& rule : rules.rules)
        if (rule.enabled)
            for (const Condition& c : rule.conditions) ruleColumns.insert(c.column);
    const auto conditionText = [&](const Condition& c, bool holds) {
        const auto col = voteColumnIndex(c.column);
        const double v = col && catalog.hasColumn(*col) ? catalog.value(row, *col) : NAN;
        return QStringLiteral("%1 = %2 %3 %4")
            .arg(QString::fromStdString(c.column), fraction(v),
                 holds ? QStringLiteral("≥") : QStringLiteral("&lt;"), fraction(c.threshold));
    };
    const auto ruleName = [](const LabelRule& rule) {
        return QStringLiteral("<span style='color:%1'>●</span> %2")
            .arg(morphologyColor(labelOf(rule.label)).name(),
                 morphologyShortName(labelOf(rule.label)));
    };
    QString reason;
    if (!labelingError.isEmpty()) {
        label_.reset();
        badge_->setText(tr("not labeled"));
        badge_->setStyleSheet(
            QStringLiteral("QLabel { background: %1; color: %2; border-radius: 4px; "
                           "padding: 2px 8px; }")
                .arg(warningBoxColor().name(), warningBoxTextColor().name()));
        reason = tr("The rules cannot label this catalog: %1").arg(labelingError.toHtmlEscaped());
    } else {
        const LabelExplanation e = explainLabel(catalog, row, rules);
        label_ = e.label;
        const QColor color = morphologyColor(e.label);
        badge_->setText(morphologyShortName(e.label));
        badge_->setToolTip(morphologyTitle(e.label));
        badge_->setStyleSheet(
            QStringLiteral("QLabel { background: %1; color: %2; border-radius: 4px;"
                           " padding: 2px 8px; font-weight: bold; }")
                .arg(color.name(),
                     color.lightnessF() > 0.6 ? textColor().name() : QStringLiteral("white")));
        QStringList lines;
        if (e.matchedRule) {
            const LabelRule& rule = rules.rules[*e.matchedRule];
            QStringList conditions;
            for (const Condition& c : rule.conditions) conditions << conditionText(c, true);
            lines << tr("<b>Rule %1 matched</b> (%2): %3")
                         .arg(*e.matchedRule + 1)
                         .arg(ruleName(rule), conditions.join(tr(" and ")));
        } else {
            lines << tr(
                "<b>No rule matched</b>: the galaxy stays unlabeled and is left out of "
                "training.");
        }
        for (const RuleFailure& f : e.failures)
            lines << tr("Rule %1 (%2) failed: %3")
                         .arg(f.rule + 1)
                         .arg(ruleName(rules.rules[f.rule]), conditionText(f.condition, false));
        for (std::size_t i = 0; i < rules.rules.size(); ++i)
            if (!rules.rules[i].enabled && (!e.matchedRule || i < *e.matchedRule))
                lines
                    << tr("Rule %1 (%2) is switched off.").arg(i + 1).arg(ruleName(rules.rules[i]));
        reason = lines.join(QStringLiteral("<br>"));
    }
    reason_->setText(reason);

    // Vote fractions by question, only the columns the file has; no model's until given.
    votes_->showVolunteers(catalog, row, ruleColumns);
}

}  // namespace gz::ui
