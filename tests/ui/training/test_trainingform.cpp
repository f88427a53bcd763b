// The Training panel's "3. Train" form on its own: the option combo boxes list the keys in the
// form's order, start at TrainConfig's defaults, and give the chosen values to config().

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSpinBox>
#include <QtTest>

#include "gui_fixtures.h"
#include "gz/training.h"
#include "training/trainingform.h"

using gz::test::child;
using namespace gz;

namespace {

QStringList items(const QComboBox* box) {
    QStringList list;
    for (int i = 0; i < box->count(); ++i) list << box->itemText(i);
    return list;
}

}  // namespace

class TestTrainingForm : public QObject {
    Q_OBJECT

private slots:
    void combosListTheKeysInTheFormsOrder() {
        ui::TrainingForm form;
        auto* schedule = child<QComboBox>(&form, "scheduleCombo");
        auto* balance = child<QComboBox>(&form, "balanceCombo");
        auto* select = child<QComboBox>(&form, "selectCombo");
        QCOMPARE(items(schedule), QStringList({"cosine", "step", "constant"}));
        QCOMPARE(items(balance), QStringList({"sqrt", "none", "sample", "weight"}));
        QCOMPARE(items(select), QStringList({"last", "loss", "accuracy", "macro_f1"}));
        QCOMPARE(schedule->currentText(), QStringLiteral("cosine"));
        QCOMPARE(balance->currentText(), QStringLiteral("sqrt"));
        QCOMPARE(select->currentText(), QStringLiteral("last"));
        const TrainConfig d;
        const TrainConfig c = form.config();
        QVERIFY(c.schedule == d.schedule && c.balance == d.balance &&
                c.selectMetric == d.selectMetric && c.device == d.device);
    }

    void configGivesTheChosenValues() {
        ui::TrainingForm form;
        auto* schedule = child<QComboBox>(&form, "scheduleCombo");
        auto* balance = child<QComboBox>(&form, "balanceCombo");
        auto* select = child<QComboBox>(&form, "selectCombo");
        for (const auto& n : OptionTable<Schedule>::names) {
            schedule->setCurrentText(QString::fromUtf8(n.key.data()));
            QVERIFY(form.config().schedule == n.value);
        }
        for (const auto& n : OptionTable<Balance>::names) {
            balance->setCurrentText(QString::fromUtf8(n.key.data()));
            QVERIFY(form.config().balance == n.value);
        }
        for (const auto& n : OptionTable<SelectMetric>::names) {
            select->setCurrentText(QString::fromUtf8(n.key.data()));
            QVERIFY(form.config().selectMetric == n.value);
        }
    }

    void earlyStoppingNeedsAValidationMetric() {
        ui::TrainingForm form;
        auto* select = child<QComboBox>(&form, "selectCombo");
        auto* patience = child<QSpinBox>(&form, "patienceSpin");
        select->setCurrentText(QStringLiteral("loss"));
        patience->setValue(5);
        QVERIFY(patience->isEnabled());
        QCOMPARE(form.config().earlyStopPatience, 5);
        // The last epoch watches nothing: the box greys out and the run gets no early stopping
        // (a config galaxy-cli would refuse otherwise).
        select->setCurrentText(QStringLiteral("last"));
        QVERIFY(!patience->isEnabled());
        const TrainConfig last = form.config();
        QVERIFY(last.selectMetric == SelectMetric::Last);
        QCOMPARE(last.earlyStopPatience, 0);
        last.validate();
        select->setCurrentText(QStringLiteral("accuracy"));
        QVERIFY(patience->isEnabled());
        QCOMPARE(form.config().earlyStopPatience, 5);  // the value typed is kept
    }

    void theVotesLossIsChosenOnceThereIsAVotesHead() {
        ui::TrainingForm form;
        auto* loss = child<QComboBox>(&form, "votesLossCombo");
        auto* weight = child<QDoubleSpinBox>(&form, "votesWeightSpin");
        QCOMPARE(items(loss), QStringList({"squared_error", "cross_entropy"}));
        // The engine's default, a votes head of weight 30 on the per-question cross-entropy
        // (galaxy-cli train's too).
        QCOMPARE(loss->currentText(), QStringLiteral("cross_entropy"));
        QCOMPARE(weight->value(), 30.0);
        QVERIFY(loss->isEnabled());
        weight->setValue(0);  // off: no votes head, nothing to choose
        QVERIFY(!loss->isEnabled());
        QCOMPARE(form.config().votesWeight, 0.0);
        QVERIFY(!form.config().hasVotesHead());
        weight->setValue(10);
        QVERIFY(loss->isEnabled());
        loss->setCurrentText(QStringLiteral("squared_error"));
        QVERIFY(form.config().votesLoss == VotesLoss::SquaredError);
        QCOMPARE(form.config().votesWeight, 10.0);

        // A run's settings shown again, as resuming it does.
        ui::TrainingForm other;
        other.setConfig(form.config());
        QCOMPARE(child<QComboBox>(&other, "votesLossCombo")->currentText(),
                 QStringLiteral("squared_error"));
        QVERIFY(child<QComboBox>(&other, "votesLossCombo")->isEnabled());
        TrainConfig plain;
        plain.votesWeight = 0;
        other.setConfig(plain);
        QVERIFY(!child<QComboBox>(&other, "votesLossCombo")->isEnabled());
        QVERIFY(other.config().votesLoss == VotesLoss::CrossEntropy);
    }

    void theDecisionIsChosenOnceThereIsAVotesHead() {
        ui::TrainingForm form;
        auto* decision = child<QComboBox>(&form, "decisionCombo");
        auto* weight = child<QDoubleSpinBox>(&form, "votesWeightSpin");
        QCOMPARE(items(decision), QStringList({"combined", "head", "fractions"}));
        QCOMPARE(decision->currentText(), QStringLiteral("combined"));  // galaxy-cli's default
        QVERIFY(decision->isEnabled());
        weight->setValue(0);  // no votes head: the classifier decides, nothing to choose
        QVERIFY(!decision->isEnabled());
        weight->setValue(30);
        QVERIFY(decision->isEnabled());
        decision->setCurrentText(QStringLiteral("fractions"));
        QVERIFY(form.config().decision == Decision::Fractions);
        // A run's own decision shown again, as resuming it does (a run from before the option
        // decided by the head).
        ui::TrainingForm other;
        TrainConfig old;
        old.decision = Decision::Head;
        other.setConfig(old);
        QCOMPARE(child<QComboBox>(&other, "decisionCombo")->currentText(), QStringLiteral("head"));
        QVERIFY(other.config().decision == Decision::Head);
    }

    void theFp32FinishFollowsThePrecision() {
        ui::TrainingForm form;
        auto* finish = child<QDoubleSpinBox>(&form, "fp32FinishSpin");
        auto* precision = child<QComboBox>(&form, "precisionCombo");
        QCOMPARE(finish->value(), TrainConfig{}.fp32Finish);  // galaxy-cli's default
        precision->setCurrentText(QStringLiteral("fp32"));  // nothing in bfloat16 to finish
        QVERIFY(!finish->isEnabled());
        precision->setCurrentText(QStringLiteral("auto"));
        QVERIFY(finish->isEnabled());
        finish->setValue(0.25);
        QCOMPARE(form.config().fp32Finish, 0.25);
        // A run's own share shown again, as resuming it does.
        ui::TrainingForm other;
        TrainConfig run;
        run.fp32Finish = 0.4;
        other.setConfig(run);
        QCOMPARE(child<QDoubleSpinBox>(&other, "fp32FinishSpin")->value(), 0.4);
        QCOMPARE(other.config().fp32Finish, 0.4);
    }
};

QTEST_MAIN(TestTrainingForm)
#include "test_trainingform.moc"
