#pragma once
// The table of predictions the Prediction panel shows, as the CSV its Export writes: one row per
// galaxy shown, with its image file, the predicted class by name, the confidence and the five
// probabilities. predictions.csv (gz/evaluation.h) stays the run's own, documented format.

#include <filesystem>
#include <string>
#include <vector>

#include "gz/evaluation.h"

namespace gz {

/// A prediction and the file its image came from ("" when unknown).
struct PredictionTableRow {
    Prediction prediction;
    std::string file;
};

/// The header of the exported table:
/// GalaxyID,file,predicted,confidence,p_round,p_in_between,p_cigar,p_edge_on,p_spiral.
std::string predictionTableHeader();

/// Writes `rows` in that order (atomically: a failed write leaves `file` as it was). The class
/// is its key ("round" ... "spiral"); a file name with a comma or quote is quoted as in RFC 4180.
/// Throws DataError when the file cannot be written.
void writePredictionTableCsv(const std::filesystem::path& file,
                             const std::vector<PredictionTableRow>& rows);

}  // namespace gz
