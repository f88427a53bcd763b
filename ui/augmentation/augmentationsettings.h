#pragma once
// The augmentation parameters the user set in the Augmentation panel: one shared object, read by
// the preview and by every preprocessing and training job the Training panel starts.

#include <QObject>
#include <QString>

#include "gz/image_pipeline.h"

namespace gz::ui {

class AugmentationSettings : public QObject {
    Q_OBJECT

public:
    explicit AugmentationSettings(QObject* parent = nullptr);

    const AugmentationParams& params() const { return params_; }
    /// Replaces the parameters (validated first: a DataError leaves them as they were) and
    /// emits changed() when they differ.
    void setParams(const AugmentationParams& params);

    /// Saves as JSON (atomically); loads, validating (DataError names the file and the key).
    void save(const QString& file) const;
    void load(const QString& file);

signals:
    void changed(const gz::AugmentationParams& params);

private:
    AugmentationParams params_;
};

}  // namespace gz::ui
