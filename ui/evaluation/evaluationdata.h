#pragma once
// What the Evaluation panel shows of a set of predictions: the metrics, a confusion-matrix cell's
// galaxies (most confident mistakes first), and the user's marks on galaxies, kept in the run
// folder (marks.csv) so that a data set can be curated.

#include <QString>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <vector>

#include "gz/evaluation.h"

namespace gz::ui {

/// The predictions of confusion cell (trueClass row, predicted column): exactly those whose true
/// label is `trueClass` and whose arg max is `predicted`, by descending confidence (the
/// probability of the predicted class), ties by GalaxyID.
std::vector<Prediction> cellPredictions(const std::vector<Prediction>& predictions, int trueClass,
                                        int predicted);

/// Share of row `trueClass` in cell (trueClass, predicted), in percent (0 for an empty row).
double rowPercent(const EvaluationResult& result, int trueClass, int predicted);

/// What the user thinks is wrong with a prediction.
enum class GalaxyMark { None, LabelWrong, ModelWrong };

/// "label_wrong" / "model_wrong" ("" for None), and back (nullopt when unknown).
QString markKey(GalaxyMark mark);
std::optional<GalaxyMark> markFromKey(const QString& key);
/// "Label looks wrong" / "Model wrong" / "".
QString markTitle(GalaxyMark mark);

/// One marked galaxy as saved: the prediction it was marked on.
struct MarkedGalaxy {
    std::int64_t id = 0;
    GalaxyMark mark = GalaxyMark::None;
    int trueLabel = kUnlabeled;
    int predicted = 0;
    double confidence = 0;
};

/// The marks of one run: <run>/marks.csv (`GalaxyID,mark,true,predicted,confidence`, classes as
/// their keys), rewritten atomically on every change.
class RunMarks {
public:
    RunMarks() = default;
    /// Reads <run>/marks.csv when there is one. Throws DataError naming the file and line of a
    /// malformed row (an unknown mark or class, a bad number, a duplicate GalaxyID).
    explicit RunMarks(std::filesystem::path runDir);

    static std::filesystem::path fileIn(const std::filesystem::path& runDir);
    const std::filesystem::path& runDir() const { return runDir_; }

    GalaxyMark mark(std::int64_t id) const;
    /// Sets (or, with None, removes) a galaxy's mark and saves the file. Throws DataError when
    /// it cannot be written (the previous file stays as it was).
    void setMark(const Prediction& prediction, GalaxyMark mark);
    const std::map<std::int64_t, MarkedGalaxy>& all() const { return marks_; }
    std::size_t count(GalaxyMark mark) const;

    /// Writes the marks as CSV to `file` (atomically), the same columns as marks.csv.
    void exportCsv(const std::filesystem::path& file) const;

private:
    std::filesystem::path runDir_;
    std::map<std::int64_t, MarkedGalaxy> marks_;
};

}  // namespace gz::ui
