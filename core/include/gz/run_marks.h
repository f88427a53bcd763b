#pragma once
// The user's marks on a run's predictions, kept in the run folder (marks.csv) so that a data set
// can be curated: which labels look wrong, which predictions are the model's mistakes.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string_view>

#include "gz/evaluation.h"
#include "gz/morphology.h"

namespace gz {

/// What the user thinks is wrong with a prediction.
enum class GalaxyMark { None, LabelWrong, ModelWrong };

/// "label_wrong" / "model_wrong" ("" for None), and back (nullopt when unknown).
std::string_view markKey(GalaxyMark mark);
std::optional<GalaxyMark> markFromKey(std::string_view key);

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

}  // namespace gz
