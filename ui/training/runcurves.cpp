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

std::vector<double> RunCurves::epochX() const {
    std::vector<double> x;
    for (const EpochRecord& r : epochs) x.push_back(r.epoch);
    return x;
}

std::vector<double> RunCurves::epochColumn(double EpochRecord::*field) const {
    std::vector<double> y;
    for (const EpochRecord& r : epochs) y.push_back(r.*field);
    return y;
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

void writeCurvesCsv(std::ostream& out, const std::vector<RunCurves>& runs, double smoothing) {
    out << "run,series,epoch,value\n";
    const auto write = [&out](const QString& run, const char* series, const std::vector<double>& x,
                              const std::vector<double>& y) {
        for (std::size_t i = 0; i < x.size() && i < y.size(); ++i)
            if (std::isfinite(y[i]))
                out << '"' << run.toStdString() << "\"," << series << ',' << x[i] << ',' << y[i]
                    << '\n';
    };
    for (const RunCurves& r : runs) {
        write(r.name, "batch_loss", r.batchX, r.batchLoss);
        write(r.name, "batch_loss_smoothed", r.batchX, smoothCurve(r.batchLoss, smoothing));
        write(r.name, "batch_train_accuracy", r.batchX, r.batchAccuracy);
        write(r.name, "batch_lr", r.batchX, r.batchLr);
        const std::vector<double> x = r.epochX();
        write(r.name, "train_loss", x, r.epochColumn(&EpochRecord::trainLoss));
        write(r.name, "train_accuracy", x, r.epochColumn(&EpochRecord::trainAccuracy));
        write(r.name, "train_votes_loss", x, r.epochColumn(&EpochRecord::trainVotesLoss));
        write(r.name, "val_loss", x, r.epochColumn(&EpochRecord::valLoss));
        write(r.name, "val_accuracy", x, r.epochColumn(&EpochRecord::valAccuracy));
        write(r.name, "val_macro_f1", x, r.epochColumn(&EpochRecord::valMacroF1));
        write(r.name, "lr", x, r.epochColumn(&EpochRecord::lr));
    }
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
