#include "training/runcurves.h"

#include <array>
#include <cmath>

namespace gz::ui {

void RunCurves::addBatch(const BatchProgress& p) {
    batchX.push_back(p.epoch - 1 + (p.batches > 0 ? static_cast<double>(p.batch) / p.batches : 0));
    batchLoss.push_back(p.batchLoss);
    batchAccuracy.push_back(p.accuracy);
    batchLr.push_back(p.lr);
}

void RunCurves::addEpoch(const EpochRecord& record) {
    while (!epochs.empty() && epochs.back().epoch >= record.epoch) epochs.pop_back();
    epochs.push_back(record);
}

void RunCurves::clear() {
    const QString keep = name;
    *this = {};
    name = keep;
}

std::vector<double> smoothCurve(const std::vector<double>& values, double weight) {
    std::vector<double> out;
    out.reserve(values.size());
    double last = 0;
    double weightPower = 1;  // weight^(finite values so far)
    for (double x : values) {
        if (!std::isfinite(x)) {
            out.push_back(x);
            continue;
        }
        weightPower *= weight;
        last = weight * last + (1 - weight) * x;
        const double debias = 1 - weightPower;
        out.push_back(debias > 0 ? last / debias : x);
    }
    return out;
}

QColor runColor(int index) {
    // Tableau-like hues, dark enough on white, none of them the morphology class colours.
    static const std::array<QColor, 8> colors = {
        QColor(0x1f, 0x77, 0xb4), QColor(0xd6, 0x27, 0x28), QColor(0x2c, 0xa0, 0x2c),
        QColor(0x94, 0x67, 0xbd), QColor(0xff, 0x7f, 0x0e), QColor(0x17, 0xbe, 0xcf),
        QColor(0x8c, 0x56, 0x4b), QColor(0xe3, 0x77, 0xc2)};
    const int n = static_cast<int>(colors.size());
    const QColor base = colors[static_cast<std::size_t>(index % n)];
    // Past the palette, the same hues darker, so every run still gets its own colour.
    return index < n ? base : base.darker(100 + 40 * (index / n));
}

}  // namespace gz::ui
