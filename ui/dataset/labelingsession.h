#pragma once
// The labeling the GUI shows: the loaded data set, the label rules the user set and the labeling
// they give, and the split once there is one. LoadedDataset stays immutable; editing the rules
// makes a new Labeling (off the GUI thread, latest rules win) that the browser, the counts, the
// inspector and (through the main window) the Training and Evaluation panels all read from here;
// so do a split and a model's predicted vote fractions once the user loads them.

#include <QHash>
#include <QObject>
#include <QString>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "common/latestonlyworker.h"
#include "dataset/loadeddataset.h"
#include "gz/labeling.h"
#include "gz/partition.h"
#include "gz/vote_fit.h"

namespace gz::ui {

/// GalaxyID -> subset of the split the user loaded or made.
struct SplitMap {
    QHash<qint64, Subset> subsets;
    std::size_t entries = 0;       ///< rows of the split
    std::size_t notInCatalog = 0;  ///< of those, GalaxyIDs the catalog does not have
    QString source;                ///< where it came from ("split.csv", "training run ...")
    std::optional<Subset> subsetOf(std::int64_t id) const;
};

/// A model's predicted vote fractions for the catalog's galaxies, from a file the user loaded.
struct ModelFractions {
    CatalogFractions fractions;
    QString source;  ///< the file's name
};

class LabelingSession : public QObject {
    Q_OBJECT

public:
    explicit LabelingSession(QObject* parent = nullptr);

    /// Shows a new data set: its rules and labeling become current; the split is cleared.
    void setDataset(std::shared_ptr<const LoadedDataset> dataset);
    const std::shared_ptr<const LoadedDataset>& dataset() const { return dataset_; }

    /// The rules the user set (the data set's until edited).
    const LabelRules& rules() const { return rules_; }
    /// Sets the rules and relabels off the GUI thread; labelingChanged() follows.
    void setRules(const LabelRules& rules);

    /// The labeling under rules(), or nullptr when the rules cannot label this catalog (then
    /// labelingError() says why) or when there is no data set.
    const std::shared_ptr<const Labeling>& labeling() const { return labeling_; }
    const QString& labelingError() const { return labelingError_; }
    /// Whether a relabeling is still running (labeling() is then the previous rules').
    bool isRelabeling() const { return relabeler_.isBusy(); }
    /// Wall time of the last relabeling (labelCatalog on its worker), in milliseconds.
    double lastRelabelMs() const { return lastRelabelMs_; }

    /// The split, nullptr until one is loaded or made.
    const std::shared_ptr<const SplitMap>& split() const { return split_; }
    void setSplit(const std::vector<SplitEntry>& split, const QString& source);

    /// A model's predicted fractions (matched to this data set's catalog), nullptr until loaded.
    const std::shared_ptr<const ModelFractions>& modelFractions() const { return modelFractions_; }
    void setModelFractions(std::shared_ptr<const ModelFractions> fractions);

signals:
    void datasetChanged();
    void rulesChanged(const gz::LabelRules& rules);
    /// labeling() / labelingError() changed (after setDataset or a relabeling).
    void labelingChanged();
    void splitChanged();
    void modelFractionsChanged();

private:
    struct Request {
        std::shared_ptr<const LoadedDataset> dataset;
        LabelRules rules;
    };
    /// The labeling, or why the rules cannot label the catalog; with the time it took.
    struct Result {
        std::shared_ptr<const Labeling> labeling;
        QString error;
        double ms = 0;
    };
    static Result relabel(const Request& request, const std::stop_token& stop);
    void onRelabeled(const Result& result);

    std::shared_ptr<const LoadedDataset> dataset_;
    LabelRules rules_;
    std::shared_ptr<const Labeling> labeling_;
    QString labelingError_;
    std::shared_ptr<const SplitMap> split_;
    std::shared_ptr<const ModelFractions> modelFractions_;
    double lastRelabelMs_ = 0;

    // Labels with the newest rules; a new data set drops its work. Last, so destroyed first.
    LatestOnlyWorker<Request, Result> relabeler_;
};

}  // namespace gz::ui
