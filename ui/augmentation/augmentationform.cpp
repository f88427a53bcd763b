#include "augmentation/augmentationform.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QRegularExpression>
#include <QSpinBox>

#include <cctype>
#include <string>
#include <type_traits>
#include <variant>

#include "common/formcontrols.h"
#include "gz/augmentation.h"
#include "gz/constants.h"

namespace gz::ui {

namespace {

using P = AugmentationParams;
using NumberField = std::variant<int P::*, double P::*>;

// A spin box of one number field; step and decimals apply to double fields, the suffix to int
// ones.
struct Number {
    const char* objectName;
    NumberField field;
    double lo = 0;
    double hi = 0;
    double step = 1;
    int decimals = 0;
    const char* suffix = "";
};

// One row of the form: the check box of a step's on/off field (or a plain label) and the step's
// number fields (two: a range, "to" between them).
struct RowSpec {
    const char* checkName = nullptr;  // nullptr: `text` is a label
    bool P::*step = nullptr;
    QString text{};
    QString tip{};
    std::vector<Number> numbers{};
    bool gated = true;      // the numbers are enabled only while the step is on
    bool wholeRow = false;  // the check box spans the form (no value column)
};

std::vector<RowSpec> rowSpecs() {
    const auto tr = [](const char* text) { return AugmentationForm::tr(text); };
    return {
        {.checkName = "scaleJitterCheck",
         .step = &P::scaleJitter,
         .text = tr("1. Scale jitter, S"),
         .tip = tr("Centre crop of side S, uniform in the range (original pixels)"),
         .numbers = {{"cropMinSpin", &P::cropMin, 8, kKaggleImageSide},
                     {"cropMaxSpin", &P::cropMax, 8, kKaggleImageSide}}},
        {.text = tr("2. Resize to"),
         .numbers = {{"resizeToSpin", &P::resizeTo, 8, kKaggleImageSide, 1, 0, " px"}}},
        {.checkName = "rotateAngleCheck",
         .step = &P::rotateAngle,
         .text = tr("2b. Rotate by any angle ±"),
         .tip = tr("After the resize: an angle uniform in [-a, a] degrees, counter-clockwise; "
                   "the uncovered corners mirrored (off in the original)"),
         .numbers = {{"angleMaxSpin", &P::angleMax, 0, 180, 5, 1}}},
        {.checkName = "randomCropCheck",
         .step = &P::randomCrop,
         .text = tr("3. Random crop"),
         .tip = tr("Off: the centre crop of the output size"),
         .numbers = {{"outputSizeSpin", &P::outputSize, 8, kKaggleImageSide, 1, 0, " px"}},
         .gated = false},
        {.checkName = "rotateCheck",
         .step = &P::rotate,
         .text = tr("4. Rotate k × 90°"),
         .tip = tr("k uniform in 0..3, counter-clockwise")},
        {.checkName = "flipCheck",
         .step = &P::flip,
         .text = tr("5. Flip, p"),
         .tip = tr("Left-right mirror"),
         .numbers = {{"flipProbabilitySpin", &P::flipProbability, 0, 1, 0.05, 2}}},
        {.checkName = "brightnessCheck",
         .step = &P::brightness,
         .text = tr("6. Brightness ±"),
         .tip = tr("Adds one delta, uniform in [-d, d], to every value"),
         .numbers = {{"brightnessDeltaSpin", &P::brightnessDelta, 0, 255, 1, 1}}},
        {.checkName = "contrastCheck",
         .step = &P::contrast,
         .text = tr("7. Contrast ×"),
         .tip = tr("Scales each channel's deviation from its mean"),
         .numbers = {{"contrastMinSpin", &P::contrastMin, 0, 10, 0.05, 2},
                     {"contrastMaxSpin", &P::contrastMax, 0, 10, 0.05, 2}}},
        {.checkName = "hueCheck",
         .step = &P::hue,
         .text = tr("8. Hue ±"),
         .tip = tr("Shift by a fraction of the hue circle (off in the original)"),
         .numbers = {{"hueDeltaSpin", &P::hueDelta, 0, 0.5, 0.01, 3}}},
        {.checkName = "saturationCheck",
         .step = &P::saturation,
         .text = tr("    Saturation ×"),
         .tip = tr("Multiply the saturation (off in the original)"),
         .numbers = {{"saturationMinSpin", &P::saturationMin, 0, 10, 0.05, 2},
                     {"saturationMaxSpin", &P::saturationMax, 0, 10, 0.05, 2}}},
        {.checkName = "clipCheck",
         .step = &P::clipPhotometric,
         .text = tr("Clip to 0..255 after each photometric step"),
         .tip = tr("Off in the original: standardisation then cancels brightness and most of "
                   "contrast"),
         .wholeRow = true},
        {.checkName = "standardizeCheck",
         .step = &P::standardize,
         .text = tr("9. Standardise"),
         .tip = tr("(x - mean) / max(std, 1/sqrt(N)) per image")},
        {.text = tr("Evaluation crop"),
         .numbers = {{"evalCropSpin", &P::evalCrop, 8, kKaggleImageSide, 1, 0, " px"}}},
    };
}

// The spin box of `number`, showing the field's default: a QSpinBox for an int field, a
// QDoubleSpinBox for a double one.
QAbstractSpinBox* createSpin(const Number& number) {
    const P defaults;
    const QString name = QString::fromLatin1(number.objectName);
    QAbstractSpinBox* spin = std::visit(
        [&](auto field) -> QAbstractSpinBox* {
            if constexpr (std::is_same_v<decltype(field), int P::*>) {
                QSpinBox* s = makeSpinBox(name, static_cast<int>(number.lo),
                                          static_cast<int>(number.hi), defaults.*field);
                s->setSuffix(QString::fromUtf8(number.suffix));
                return s;
            } else {
                return makeDoubleSpinBox(name, number.lo, number.hi, defaults.*field,
                                         number.decimals, number.step);
            }
        },
        number.field);
    spin->setKeyboardTracking(false);
    return spin;
}

// Calls f(member, spin) with the number field's member pointer and `spin` as the type that
// createSpin() made for it.
template <typename F>
void withTypedSpin(const NumberField& field, QAbstractSpinBox* spin, F&& f) {
    std::visit(
        [&](auto member) {
            if constexpr (std::is_same_v<decltype(member), int P::*>)
                f(member, static_cast<QSpinBox*>(spin));
            else
                f(member, static_cast<QDoubleSpinBox*>(spin));
        },
        field);
}

// The value column: the spin boxes side by side ("to" between two), left-aligned.
QWidget* valueColumn(const std::vector<QAbstractSpinBox*>& spins) {
    auto* row = new QWidget;
    auto* l = new QHBoxLayout(row);
    l->setContentsMargins(0, 0, 0, 0);
    for (std::size_t i = 0; i < spins.size(); ++i) {
        if (i > 0) l->addWidget(new QLabel(QStringLiteral("to")));
        l->addWidget(spins[i]);
    }
    l->addStretch(1);
    return row;
}

}  // namespace

struct AugmentationForm::Row {
    RowSpec spec;
    QCheckBox* check = nullptr;
    std::vector<QAbstractSpinBox*> spins{};  // one per spec.numbers
};

AugmentationForm::AugmentationForm(QWidget* parent) : QGroupBox(tr("Training transform"), parent) {
    auto* form = new QFormLayout(this);
    form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    for (RowSpec& spec : rowSpecs()) {
        Row row{std::move(spec)};
        for (const Number& number : row.spec.numbers) {
            QAbstractSpinBox* spin = createSpin(number);
            withTypedSpin(number.field, spin, [&](auto, auto* s) {
                using Spin = std::remove_pointer_t<decltype(s)>;
                connect(s, &Spin::valueChanged, this, &AugmentationForm::controlChanged);
            });
            row.spins.push_back(spin);
        }
        if (!row.spec.checkName) {
            form->addRow(row.spec.text, valueColumn(row.spins));
        } else {
            row.check = new QCheckBox(row.spec.text);
            row.check->setObjectName(QString::fromLatin1(row.spec.checkName));
            row.check->setToolTip(row.spec.tip);
            connect(row.check, &QCheckBox::toggled, this, &AugmentationForm::controlChanged);
            if (row.spec.wholeRow)
                form->addRow(row.check);
            else if (row.spins.empty())
                form->addRow(row.check, new QWidget);
            else
                form->addRow(row.check, valueColumn(row.spins));
        }
        rows_.push_back(std::move(row));
    }
}

AugmentationForm::~AugmentationForm() = default;

void AugmentationForm::setParams(const AugmentationParams& params) {
    settingParams_ = true;
    for (Row& row : rows_) {
        if (row.check) row.check->setChecked(params.*row.spec.step);
        for (std::size_t i = 0; i < row.spins.size(); ++i) {
            withTypedSpin(row.spec.numbers[i].field, row.spins[i],
                          [&](auto member, auto* s) { s->setValue(params.*member); });
            if (row.check && row.spec.gated) row.spins[i]->setEnabled(params.*row.spec.step);
        }
    }
    settingParams_ = false;
}

AugmentationParams AugmentationForm::params() const {
    AugmentationParams params;
    for (const Row& row : rows_) {
        if (row.check) params.*row.spec.step = row.check->isChecked();
        for (std::size_t i = 0; i < row.spins.size(); ++i)
            withTypedSpin(row.spec.numbers[i].field, row.spins[i],
                          [&](auto member, const auto* s) { params.*member = s->value(); });
    }
    return params;
}

namespace {

// The JSON key of a number's field from its control's name: "cropMinSpin" -> "crop_min".
std::string fieldKey(const char* objectName) {
    std::string key;
    for (const char* c = objectName; *c; ++c) {
        if (std::isupper(static_cast<unsigned char>(*c))) key += '_';
        key += static_cast<char>(std::tolower(static_cast<unsigned char>(*c)));
    }
    return key.ends_with("_spin") ? key.substr(0, key.size() - 5) : key;
}

}  // namespace

QString AugmentationForm::fieldLabel(std::string_view key) const {
    static const QRegularExpression numbering(QStringLiteral("^\\s*(\\d+\\.\\s*)?"));
    for (const Row& row : rows_)
        for (std::size_t i = 0; i < row.spec.numbers.size(); ++i) {
            if (fieldKey(row.spec.numbers[i].objectName) != key) continue;
            QString text = row.spec.text;
            text.remove(numbering);
            if (row.spec.numbers.size() == 2)
                text = (i == 0 ? tr("%1 (from)") : tr("%1 (to)")).arg(text);
            return QStringLiteral("“%1”").arg(text);
        }
    return QString::fromUtf8(key.data(), static_cast<qsizetype>(key.size()));
}

QString AugmentationForm::problem() const {
    const std::string text = params().problem();
    if (text.empty()) return {};
    return QString::fromStdString(
        nameFields(text, [this](std::string_view key) { return fieldLabel(key).toStdString(); }));
}

void AugmentationForm::controlChanged() {
    if (!settingParams_) emit edited();
}

}  // namespace gz::ui
