#include "augmentation/augmentationsettings.h"

#include "common/uiformat.h"

namespace gz::ui {

AugmentationSettings::AugmentationSettings(QObject* parent) : QObject(parent) {}

void AugmentationSettings::setParams(const AugmentationParams& params) {
    params.validate();
    if (params == params_) return;
    params_ = params;
    emit changed(params_);
}

void AugmentationSettings::save(const QString& file) const {
    params_.save(toPath(file));
}

void AugmentationSettings::load(const QString& file) {
    setParams(AugmentationParams::load(toPath(file)));
}

}  // namespace gz::ui
