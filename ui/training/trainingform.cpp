#include "training/trainingform.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QThread>

#include <algorithm>
#include <cstdint>
#include <limits>

#include "common/formcontrols.h"
#include "common/optioncombo.h"
#include "gz/models.h"
#include "gz/precision.h"
#include "gz/train_options.h"

namespace gz::ui {

TrainingForm::TrainingForm(QWidget* parent) : QGroupBox(tr("3. Train"), parent) {
    QStringList models;
    for (const auto& m : availableModels()) models << QString::fromStdString(m);
    model_ = makeComboBox(QStringLiteral("modelCombo"), models);
    model_->setToolTip(
        tr("compact: 1.2M parameters, for CPUs; resnet26: the paper's network "
           "(55.7M); bench-resnet: the 4.4M reference benchmark network"));
    byEpochs_ = new QRadioButton(tr("Epochs"));
    byEpochs_->setObjectName(QStringLiteral("byEpochsRadio"));
    byMinutes_ = new QRadioButton(tr("Minutes"));
    byMinutes_->setObjectName(QStringLiteral("byMinutesRadio"));
    byEpochs_->setChecked(true);
    auto* limitGroup = new QButtonGroup(this);
    limitGroup->addButton(byEpochs_);
    limitGroup->addButton(byMinutes_);
    epochs_ = makeSpinBox(QStringLiteral("epochsSpin"), 1, 100000, 30);
    minutes_ = makeDoubleSpinBox(QStringLiteral("minutesSpin"), 0.05, 100000, 5, 2, 1);
    minutes_->setEnabled(false);
    connect(byEpochs_, &QRadioButton::toggled, this, [this](bool on) {
        epochs_->setEnabled(on);
        minutes_->setEnabled(!on);
    });
    const TrainConfig d;  // the engine's defaults, the same as galaxy-cli train's
    batch_ = makeSpinBox(QStringLiteral("batchSpin"), 1, 4096, d.batch);
    lr_ = makeDoubleSpinBox(QStringLiteral("learningRateSpin"), 0.00001, 10, d.lr, 5, 0.01);
    schedule_ = optionCombo(QStringLiteral("scheduleCombo"),
                            {Schedule::Cosine, Schedule::Step, Schedule::Constant}, d.schedule);
    schedule_->setToolTip(tr("step: the paper's, ÷10 every 30,000 steps"));
    warmup_ = makeDoubleSpinBox(QStringLiteral("warmupSpin"), 0, 1000, d.warmupEpochs, 1, 1);
    warmup_->setToolTip(tr("Linear warm-up from lr/10, in epochs"));
    balance_ =
        optionCombo(QStringLiteral("balanceCombo"),
                    {Balance::Sqrt, Balance::None, Balance::Sample, Balance::Weight}, d.balance);
    balance_->setToolTip(
        tr("sqrt: weight the loss by 1/sqrt(class share); weight: by 1/share; sample: draw "
           "classes equally; none: every image alike"));
    patience_ = makeSpinBox(QStringLiteral("patienceSpin"), 0, 10000, d.earlyStopPatience);
    patience_->setSpecialValueText(tr("off"));
    patience_->setToolTip(tr("Early stopping: epochs without a better validation metric"));
    select_ = optionCombo(
        QStringLiteral("selectCombo"),
        {SelectMetric::Last, SelectMetric::Loss, SelectMetric::Accuracy, SelectMetric::MacroF1},
        d.selectMetric);
    select_->setToolTip(
        tr("The run's model: the last epoch's weights, or those of the epoch with the best "
           "validation loss, accuracy or macro F1 (these also drive early stopping)"));
    // Early stopping watches a validation metric: the last epoch has none to watch.
    patience_->setEnabled(d.selectMetric != SelectMetric::Last);
    connect(select_, &QComboBox::currentTextChanged, patience_, [this] {
        patience_->setEnabled(chosenOption<SelectMetric>(select_) != SelectMetric::Last);
    });
    threads_ = makeSpinBox(QStringLiteral("threadsSpin"), 1, 256, QThread::idealThreadCount());
    seed_ = makeSpinBox(QStringLiteral("trainSeedSpin"), 0, std::numeric_limits<int>::max(),
                        static_cast<int>(d.seed));
    precision_ = optionCombo(QStringLiteral("precisionCombo"),
                             {Precision::Auto, Precision::Fp32, Precision::Bf16}, d.precision);
    const Bf16Support bf16 = bf16Support();
    if (!bf16.available) {
        // Refused here as galaxy-cli refuses it: shown, not choosable, with the reason.
        if (auto* items = qobject_cast<QStandardItemModel*>(precision_->model()))
            items->item(precision_->findText(keyText(optionKey(Precision::Bf16))))
                ->setEnabled(false);
    }
    precision_->setToolTip(
        tr("bf16: the convolutions in bfloat16 (weights and checkpoints stay fp32), 1.6-1.8x "
           "faster where the CPU has it: at the same epochs 1-2 points less accurate on the "
           "sample, in the same 15 minutes as accurate with a better fit of the vote fractions. "
           "auto (the default): bf16 where the CPU has it, else fp32. Here: %1")
            .arg(QString::fromStdString(bf16.reason)));
    fp32Finish_ = makeDoubleSpinBox(QStringLiteral("fp32FinishSpin"), 0, 1, d.fp32Finish, 2, 0.05);
    fp32Finish_->setSpecialValueText(tr("off"));
    fp32Finish_->setToolTip(
        tr("When the run computes in bf16: the share of it at its end (of its epochs or "
           "minutes) computed in fp32 instead (off: bf16 to the end). %1 by default: in "
           "cross-validation more accurate than bf16 to the end, with bf16's fit of the vote "
           "fractions")
            .arg(d.fp32Finish));
    fp32Finish_->setEnabled(d.precision != Precision::Fp32);
    connect(precision_, &QComboBox::currentTextChanged, fp32Finish_, [this] {
        fp32Finish_->setEnabled(chosenOption<Precision>(precision_) != Precision::Fp32);
    });
    votesWeight_ =
        makeDoubleSpinBox(QStringLiteral("votesWeightSpin"), 0, 1000, d.votesWeight, 1, 1);
    votesWeight_->setSpecialValueText(tr("off"));
    votesWeight_->setToolTip(
        tr("A votes head: the model also learns the 37 vote fractions of the Galaxy Zoo 2 "
           "decision tree, from the unlabeled galaxies too, with this weight in the loss (off: "
           "five classes only). %1 by default, with %2: at 15 minutes it was as accurate, found "
           "more cigar-shaped galaxies and gives the fractions; at 5 minutes in fp32, off did "
           "better (each epoch takes twice the images), in bf16 not")
            .arg(d.votesWeight)
            .arg(keyText(optionKey(d.votesLoss))));
    votesLoss_ = optionCombo(QStringLiteral("votesLossCombo"),
                             {VotesLoss::SquaredError, VotesLoss::CrossEntropy}, d.votesLoss);
    votesLoss_->setToolTip(
        tr("What the votes head minimises: squared_error, the 37 fractions' squared error "
           "(Kaggle's metric); cross_entropy, each question's cross-entropy weighted by the "
           "share of volunteers who reached it"));
    decision_ = optionCombo(QStringLiteral("decisionCombo"),
                            {Decision::Combined, Decision::Head, Decision::Fractions}, d.decision);
    decision_->setToolTip(
        tr("How the model decides the five classes: combined (the default), the classification "
           "head's probability with the vote fraction each class's label rule reads (Class7.3 "
           "for cigar-shaped, ...), right more often than the head alone in cross-validation; "
           "head or fractions alone. Needs the votes head"));
    for (QComboBox* needsHead : {votesLoss_, decision_}) {
        needsHead->setEnabled(d.hasVotesHead());
        connect(votesWeight_, &QDoubleSpinBox::valueChanged, needsHead,
                [needsHead](double weight) { needsHead->setEnabled(weight > 0); });
    }
    ema_ = makeDoubleSpinBox(QStringLiteral("emaSpin"), 0, 0.9999, d.emaDecay, 4, 0.001);
    ema_->setSpecialValueText(tr("off"));
    ema_->setToolTip(
        tr("Validate, checkpoint and keep a moving average of the weights that keeps this "
           "share each step (e.g. 0.999; off: the trained weights themselves)"));
    tta_ = new QCheckBox(tr("Test-time augmentation"));
    tta_->setObjectName(QStringLiteral("ttaCheck"));
    tta_->setChecked(d.tta);
    tta_->setToolTip(tr("Average the final evaluation over the 8 rotations and flips"));
    trainButton_ = new QPushButton(tr("Train"));
    trainButton_->setObjectName(QStringLiteral("trainButton"));
    connect(trainButton_, &QPushButton::clicked, this, &TrainingForm::trainRequested);
    resumeEpochs_ = makeSpinBox(QStringLiteral("resumeEpochsSpin"), 0, 100000, 0);
    resumeEpochs_->setSpecialValueText(tr("as set"));
    resumeEpochs_->setToolTip(
        tr("Epochs in all for the resumed run (\"as set\": the run's own "
           "limit)"));
    resumeButton_ = new QPushButton(tr("Resume"));
    resumeButton_->setObjectName(QStringLiteral("resumeButton"));
    resumeButton_->setToolTip(tr("Continue the last run from its checkpoint"));
    connect(resumeButton_, &QPushButton::clicked, this, &TrainingForm::resumeRequested);
    auto* resumeRow = new QHBoxLayout;
    resumeRow->addWidget(resumeButton_);
    resumeRow->addWidget(new QLabel(tr("epochs in all")));
    resumeRow->addWidget(resumeEpochs_);

    auto* grid = new QGridLayout(this);
    int row = 0;
    const auto pairRow = [&](const QString& a, QWidget* wa, const QString& b, QWidget* wb) {
        grid->addWidget(new QLabel(a), row, 0);
        grid->addWidget(wa, row, 1);
        if (wb) {
            grid->addWidget(new QLabel(b), row, 2);
            grid->addWidget(wb, row, 3);
        }
        ++row;
    };
    grid->addWidget(new QLabel(tr("Model")), row, 0);
    grid->addWidget(model_, row++, 1, 1, 3);
    grid->addWidget(byEpochs_, row, 0);
    grid->addWidget(epochs_, row, 1);
    grid->addWidget(byMinutes_, row, 2);
    grid->addWidget(minutes_, row++, 3);
    pairRow(tr("Batch"), batch_, tr("Learning rate"), lr_);
    pairRow(tr("Schedule"), schedule_, tr("Warm-up"), warmup_);
    pairRow(tr("Balance"), balance_, tr("Early stop"), patience_);
    pairRow(tr("Model from"), select_, tr("Threads"), threads_);
    pairRow(tr("Seed"), seed_, tr("Precision"), precision_);
    pairRow(tr("Votes head"), votesWeight_, tr("Weight average"), ema_);
    grid->addWidget(tta_, row, 0, 1, 2);
    grid->addWidget(new QLabel(tr("Votes loss")), row, 2);
    grid->addWidget(votesLoss_, row++, 3);
    pairRow(tr("Decision"), decision_, tr("fp32 finish"), fp32Finish_);
    grid->addWidget(trainButton_, row++, 0, 1, 4);
    grid->addLayout(resumeRow, row++, 0, 1, 4);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(3, 1);
}

TrainConfig TrainingForm::config() const {
    TrainConfig c;
    c.model = model_->currentText().toStdString();
    if (byEpochs_->isChecked())
        c.epochs = epochs_->value();
    else
        c.minutes = minutes_->value();
    c.batch = batch_->value();
    c.lr = lr_->value();
    c.schedule = chosenOption<Schedule>(schedule_);
    c.warmupEpochs = warmup_->value();
    c.balance = chosenOption<Balance>(balance_);
    c.selectMetric = chosenOption<SelectMetric>(select_);
    c.earlyStopPatience = c.selectMetric == SelectMetric::Last ? 0 : patience_->value();
    c.threads = threads_->value();
    c.seed = static_cast<std::uint64_t>(seed_->value());
    c.tta = tta_->isChecked();
    c.precision = chosenOption<Precision>(precision_);
    c.fp32Finish = fp32Finish_->value();
    c.votesWeight = votesWeight_->value();
    c.votesLoss = chosenOption<VotesLoss>(votesLoss_);
    c.decision = chosenOption<Decision>(decision_);
    c.emaDecay = ema_->value();
    return c;
}

void TrainingForm::setConfig(const TrainConfig& c) {
    if (model_->findText(QString::fromStdString(c.model)) >= 0)
        model_->setCurrentText(QString::fromStdString(c.model));
    // A run limited by time shows its minutes; otherwise its epochs.
    const bool byMinutes = c.minutes > 0 && c.epochs <= 0;
    (byMinutes ? byMinutes_ : byEpochs_)->setChecked(true);
    if (c.epochs > 0) epochs_->setValue(c.epochs);
    if (c.minutes > 0) minutes_->setValue(c.minutes);
    batch_->setValue(c.batch);
    lr_->setValue(c.lr);
    showOption(schedule_, c.schedule);
    warmup_->setValue(c.warmupEpochs);
    showOption(balance_, c.balance);
    patience_->setValue(c.earlyStopPatience);
    showOption(select_, c.selectMetric);
    if (c.threads > 0) threads_->setValue(c.threads);
    seed_->setValue(static_cast<int>(
        std::min<std::uint64_t>(c.seed, static_cast<std::uint64_t>(seed_->maximum()))));
    tta_->setChecked(c.tta);
    showOption(precision_, c.precision);
    fp32Finish_->setValue(c.fp32Finish);
    votesWeight_->setValue(c.votesWeight);
    showOption(votesLoss_, c.votesLoss);
    showOption(decision_, c.decision);
    ema_->setValue(c.emaDecay);
}

std::optional<int> TrainingForm::resumeEpochs() const {
    const int epochs = resumeEpochs_->value();
    return epochs > 0 ? std::optional(epochs) : std::nullopt;
}

void TrainingForm::setTrainEnabled(bool enabled, const QString& toolTip) {
    trainButton_->setEnabled(enabled);
    trainButton_->setToolTip(toolTip);
}

void TrainingForm::setResumeEnabled(bool enabled) {
    resumeButton_->setEnabled(enabled);
}

}  // namespace gz::ui
