#include "training/curvesview.h"

#include <qcustomplot.h>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

#include "common/uiformat.h"
#include "common/uistyle.h"
#include "gz/files.h"

namespace gz::ui {

namespace {

const QColor kTrainColor(0x36, 0x4f, 0xc7);
const QColor kValColor(0xe0, 0x31, 0x31);
const QColor kLrColor(0x5c, 0x3d, 0x99);
const QColor kBatchColor(0x9d, 0xb0, 0xf2);

// Graph indices per plot.
enum LossGraph { kBatch = 0, kTrainEpoch = 1, kValEpoch = 2, kCmpTrain = 3, kCmpVal = 4 };
enum LrGraph { kLrBatch = 0, kLrEpoch = 1, kLrCmp = 2 };

QCPGraph* addGraph(QCustomPlot* plot, const QString& name, const QColor& color, double width,
                   Qt::PenStyle style, bool markers) {
    QCPGraph* g = plot->addGraph();
    g->setName(name);
    g->setProperty("baseName", name);
    g->setPen(QPen(color, width, style));
    if (markers)
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, color, Qt::white, 6));
    g->setAdaptiveSampling(true);
    return g;
}

void setData(QCPGraph* g, const std::vector<double>& x, const std::vector<double>& y) {
    QVector<double> keys, values;
    keys.reserve(static_cast<qsizetype>(x.size()));
    values.reserve(static_cast<qsizetype>(x.size()));
    for (std::size_t i = 0; i < x.size(); ++i)
        if (std::isfinite(y[i])) {
            keys << x[i];
            values << y[i];
        }
    g->setData(keys, values, true);
}

template <typename Field>
void setEpochData(QCPGraph* g, const std::vector<EpochRecord>& epochs, Field field) {
    std::vector<double> x, y;
    for (const EpochRecord& r : epochs) {
        x.push_back(r.epoch);
        y.push_back(field(r));
    }
    setData(g, x, y);
}

}  // namespace

void RunCurves::addBatch(const BatchProgress& p) {
    const double x = p.epoch - 1 + (p.batches > 0 ? static_cast<double>(p.batch) / p.batches : 0);
    const double smoothed = batchLoss.empty()
                                ? p.batchLoss
                                : (1 - kSmoothing) * batchLoss.back() + kSmoothing * p.batchLoss;
    batchX.push_back(x);
    batchLoss.push_back(smoothed);
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

CurvesView::CurvesView(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("curvesView"));
    loss_ = new QCustomPlot;
    loss_->setObjectName(QStringLiteral("lossPlot"));
    accuracy_ = new QCustomPlot;
    accuracy_->setObjectName(QStringLiteral("accuracyPlot"));
    lr_ = new QCustomPlot;
    lr_->setObjectName(QStringLiteral("learningRatePlot"));
    setUpPlot(loss_, tr("Loss"));
    setUpPlot(accuracy_, tr("Accuracy"));
    setUpPlot(lr_, tr("Learning rate"));

    for (QCustomPlot* p : {loss_, accuracy_}) {
        const bool isLoss = p == loss_;
        addGraph(p,
                 isLoss ? tr("Training loss per batch (smoothed)")
                        : tr("Training accuracy in the epoch so far"),
                 kBatchColor, 1, Qt::SolidLine, false);
        addGraph(p, isLoss ? tr("Training loss per epoch") : tr("Training accuracy per epoch"),
                 kTrainColor, 2, Qt::SolidLine, true);
        addGraph(p, isLoss ? tr("Validation loss per epoch") : tr("Validation accuracy per epoch"),
                 kValColor, 2, Qt::SolidLine, true);
        addGraph(p, isLoss ? tr("Compared run: training loss") : tr("Compared run: training"),
                 kTrainColor, 1.5, Qt::DashLine, false);
        addGraph(p, isLoss ? tr("Compared run: validation loss") : tr("Compared run: validation"),
                 kValColor, 1.5, Qt::DashLine, false);
    }
    addGraph(lr_, tr("Learning rate per batch"), kLrColor.lighter(150), 1, Qt::SolidLine, false);
    addGraph(lr_, tr("Learning rate per epoch"), kLrColor, 2, Qt::SolidLine, true);
    addGraph(lr_, tr("Compared run: learning rate"), kLrColor, 1.5, Qt::DashLine, false);

    plots_ = new QWidget;
    auto* grid = new QGridLayout(plots_);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(4);
    grid->addWidget(loss_, 0, 0);
    grid->addWidget(accuracy_, 0, 1);
    grid->addWidget(lr_, 1, 0, 1, 2);
    grid->setRowStretch(0, 3);
    grid->setRowStretch(1, 2);

    readout_ = new QLabel;
    clearReadout();
    readout_->setObjectName(QStringLiteral("curvesReadout"));
    setMuted(readout_);
    auto* png = new QPushButton(tr("Export PNG…"));
    png->setObjectName(QStringLiteral("exportPngButton"));
    auto* csv = new QPushButton(tr("Export CSV…"));
    csv->setObjectName(QStringLiteral("exportCsvButton"));
    auto* fit = new QPushButton(tr("Fit"));
    fit->setObjectName(QStringLiteral("fitCurvesButton"));
    fit->setToolTip(tr("Fit the axes to the data again"));
    connect(png, &QPushButton::clicked, this, &CurvesView::chooseExportPng);
    connect(csv, &QPushButton::clicked, this, &CurvesView::chooseExportCsv);
    connect(fit, &QPushButton::clicked, this, &CurvesView::resetZoom);
    auto* bar = new QHBoxLayout;
    bar->addWidget(readout_, 1);
    bar->addWidget(fit);
    bar->addWidget(png);
    bar->addWidget(csv);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plots_, 1);
    layout->addLayout(bar);
    setCurves({});
}

void CurvesView::setUpPlot(QCustomPlot* plot, const QString& yLabel) {
    plot->setMinimumSize(260, 150);
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot->setBackground(Qt::white);
    plot->xAxis->setLabel(tr("Epoch"));
    plot->yAxis->setLabel(yLabel);
    const QColor grid(0xdd, 0xe2, 0xe8);
    for (QCPAxis* a : {plot->xAxis, plot->yAxis}) {
        a->grid()->setPen(QPen(grid, 1, Qt::DotLine));
        a->setBasePen(QPen(QColor(0x5f, 0x6b, 0x7a)));
        a->setTickPen(QPen(QColor(0x5f, 0x6b, 0x7a)));
        a->setSubTickPen(QPen(QColor(0x5f, 0x6b, 0x7a)));
    }
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    plot->legend->setVisible(true);
    plot->legend->setFont(small);
    plot->legend->setBrush(QColor(255, 255, 255, 210));
    plot->legend->setBorderPen(QPen(grid));
    // Rising accuracy leaves the lower right free, falling loss the upper right, a decaying
    // learning rate the lower left.
    const Qt::Alignment corner = yLabel == tr("Accuracy")        ? Qt::AlignRight | Qt::AlignBottom
                                 : yLabel == tr("Learning rate") ? Qt::AlignLeft | Qt::AlignBottom
                                                                 : Qt::AlignRight | Qt::AlignTop;
    plot->axisRect()->insetLayout()->setInsetAlignment(0, corner);
    if (plot == lr_) {
        plot->yAxis->setNumberFormat(QStringLiteral("gb"));
        plot->yAxis->setNumberPrecision(2);
    }
    auto* tracer = new QCPItemTracer(plot);
    tracer->setObjectName(QStringLiteral("hoverTracer"));
    tracer->setStyle(QCPItemTracer::tsCircle);
    tracer->setSize(9);
    tracer->setPen(QPen(Qt::black, 1.5));
    tracer->setVisible(false);
    connect(plot, &QCustomPlot::mouseMove, this,
            [this, plot](QMouseEvent* e) { hoverAt(plot, e->pos()); });
    connect(plot, &QCustomPlot::mouseWheel, this, [this] { userZoomed_ = true; });
    connect(plot, &QCustomPlot::mousePress, this, [this] { userZoomed_ = true; });
    connect(plot, &QCustomPlot::mouseDoubleClick, this, &CurvesView::resetZoom);
}

void CurvesView::setCurves(const RunCurves& primary, const RunCurves* comparison) {
    primary_ = primary;
    hasComparison_ = comparison != nullptr;
    comparison_ = comparison ? *comparison : RunCurves{};

    const RunCurves& p = primary_;
    const RunCurves& c = comparison_;
    setData(loss_->graph(kBatch), p.batchX, p.batchLoss);
    setEpochData(loss_->graph(kTrainEpoch), p.epochs, [](auto& r) { return r.trainLoss; });
    setEpochData(loss_->graph(kValEpoch), p.epochs, [](auto& r) { return r.valLoss; });
    setEpochData(loss_->graph(kCmpTrain), c.epochs, [](auto& r) { return r.trainLoss; });
    setEpochData(loss_->graph(kCmpVal), c.epochs, [](auto& r) { return r.valLoss; });
    setData(accuracy_->graph(kBatch), p.batchX, p.batchAccuracy);
    setEpochData(accuracy_->graph(kTrainEpoch), p.epochs, [](auto& r) { return r.trainAccuracy; });
    setEpochData(accuracy_->graph(kValEpoch), p.epochs, [](auto& r) { return r.valAccuracy; });
    setEpochData(accuracy_->graph(kCmpTrain), c.epochs, [](auto& r) { return r.trainAccuracy; });
    setEpochData(accuracy_->graph(kCmpVal), c.epochs, [](auto& r) { return r.valAccuracy; });
    setData(lr_->graph(kLrBatch), p.batchX, p.batchLr);
    setEpochData(lr_->graph(kLrEpoch), p.epochs, [](auto& r) { return r.lr; });
    setEpochData(lr_->graph(kLrCmp), c.epochs, [](auto& r) { return r.lr; });

    // The legend lists only what is drawn; compared curves are named after their run.
    for (QCustomPlot* plot : {loss_, accuracy_, lr_}) {
        for (int i = 0; i < plot->graphCount(); ++i) {
            QCPGraph* g = plot->graph(i);
            const bool compared = (plot == lr_ && i == kLrCmp) || (plot != lr_ && i >= kCmpTrain);
            g->setVisible(!g->data()->isEmpty());
            if (compared && hasComparison_) {
                // "Compared run: validation loss" -> "<run>: validation loss"
                const QString base = g->property("baseName").toString();
                g->setName(QStringLiteral("%1: %2").arg(
                    c.name, base.section(QLatin1Char(':'), 1).trimmed()));
            }
            if (g->data()->isEmpty())
                g->removeFromLegend();
            else
                g->addToLegend();
        }
        plot->legend->setVisible(plot->legend->itemCount() > 0);
    }
    if (!userZoomed_) rescale();
    for (QCustomPlot* plot : {loss_, accuracy_, lr_}) plot->replot(QCustomPlot::rpQueuedReplot);
}

void CurvesView::rescale() {
    for (QCustomPlot* plot : {loss_, accuracy_, lr_}) {
        plot->rescaleAxes(true);
        // From 0, with room for the markers at the last epoch.
        const double upper = std::max(plot->xAxis->range().upper, 1.0);
        plot->xAxis->setRange(0, upper * 1.04);
        QCPRange y = plot->yAxis->range();
        if (plot == accuracy_)
            plot->yAxis->setRange(0, 1.02);
        else if (plot == loss_)
            plot->yAxis->setRange(0, std::max(y.upper * 1.08, 0.1));
        else
            plot->yAxis->setRange(0, std::max(y.upper * 1.1, 1e-6));
    }
}

void CurvesView::resetZoom() {
    userZoomed_ = false;
    rescale();
    for (QCustomPlot* plot : {loss_, accuracy_, lr_}) plot->replot();
}

int CurvesView::batchPointCount() const {
    return loss_->graph(kBatch)->dataCount();
}

int CurvesView::epochPointCount() const {
    return loss_->graph(kTrainEpoch)->dataCount();
}

int CurvesView::comparisonPointCount() const {
    return loss_->graph(kCmpTrain)->dataCount();
}

QString CurvesView::readout() const {
    return readout_->text();
}

void CurvesView::clearReadout() {
    readout_->setText(
        tr("Hover over a curve to read its values; wheel zooms, drag pans, "
           "double-click fits."));
    for (QCustomPlot* plot : {loss_, accuracy_, lr_}) {
        if (!plot) continue;
        for (int i = 0; i < plot->itemCount(); ++i)
            if (auto* t = qobject_cast<QCPItemTracer*>(plot->item(i))) t->setVisible(false);
        plot->replot(QCustomPlot::rpQueuedReplot);
    }
}

void CurvesView::hoverAt(QCustomPlot* plot, const QPoint& pos) {
    QCPGraph* best = nullptr;
    double bestDistance = std::numeric_limits<double>::infinity();
    double bestKey = 0, bestValue = 0;
    for (int i = 0; i < plot->graphCount(); ++i) {
        QCPGraph* g = plot->graph(i);
        if (!g->visible()) continue;
        for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) {
            const double dx = g->keyAxis()->coordToPixel(it->key) - pos.x();
            const double dy = g->valueAxis()->coordToPixel(it->value) - pos.y();
            const double d = dx * dx + dy * dy;
            if (d < bestDistance) {
                bestDistance = d;
                best = g;
                bestKey = it->key;
                bestValue = it->value;
            }
        }
    }
    QCPItemTracer* tracer = nullptr;
    for (int i = 0; i < plot->itemCount(); ++i)
        if (auto* t = qobject_cast<QCPItemTracer*>(plot->item(i))) tracer = t;
    if (!best || bestDistance > 40.0 * 40.0) {
        if (tracer && tracer->visible()) {
            tracer->setVisible(false);
            plot->replot(QCustomPlot::rpQueuedReplot);
        }
        return;
    }
    if (tracer) {
        tracer->setGraph(nullptr);
        tracer->position->setAxes(best->keyAxis(), best->valueAxis());
        tracer->position->setCoords(bestKey, bestValue);
        tracer->setVisible(true);
        plot->replot(QCustomPlot::rpQueuedReplot);
    }
    const QString value =
        plot == lr_ ? QString::number(bestValue, 'g', 4) : QString::number(bestValue, 'f', 4);
    readout_->setText(
        tr("%1, epoch %2: %3").arg(best->name(), QString::number(bestKey, 'f', 2), value));
}

bool CurvesView::exportPng(const QString& file) {
    for (QCustomPlot* plot : {loss_, accuracy_, lr_}) plot->replot();
    return plots_->grab().save(file, "PNG");
}

bool CurvesView::exportCsv(const QString& file, QString* error) const {
    try {
        writeFileAtomically(toPath(file), [this](std::ostream& out) {
            out << "run,series,epoch,value\n";
            const auto write = [&out](const QString& run, const char* series,
                                      const std::vector<double>& x, const std::vector<double>& y) {
                for (std::size_t i = 0; i < x.size(); ++i)
                    if (std::isfinite(y[i]))
                        out << '"' << run.toStdString() << "\"," << series << ',' << x[i] << ','
                            << y[i] << '\n';
            };
            const auto writeRun = [&](const RunCurves& r) {
                write(r.name, "batch_loss_smoothed", r.batchX, r.batchLoss);
                write(r.name, "batch_train_accuracy", r.batchX, r.batchAccuracy);
                write(r.name, "batch_lr", r.batchX, r.batchLr);
                std::vector<double> x;
                for (const auto& e : r.epochs) x.push_back(e.epoch);
                const auto column = [&](const char* series, double EpochRecord::*field) {
                    std::vector<double> y;
                    for (const auto& e : r.epochs) y.push_back(e.*field);
                    write(r.name, series, x, y);
                };
                column("train_loss", &EpochRecord::trainLoss);
                column("train_accuracy", &EpochRecord::trainAccuracy);
                column("val_loss", &EpochRecord::valLoss);
                column("val_accuracy", &EpochRecord::valAccuracy);
                column("val_macro_f1", &EpochRecord::valMacroF1);
                column("lr", &EpochRecord::lr);
            };
            writeRun(primary_);
            if (hasComparison_) writeRun(comparison_);
        });
        return true;
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
}

void CurvesView::chooseExportPng() {
    const QString file =
        QFileDialog::getSaveFileName(this, tr("Export the curves as PNG"),
                                     QStringLiteral("curves.png"), tr("PNG images (*.png)"));
    if (!file.isEmpty() && !exportPng(file)) readout_->setText(tr("Could not write %1").arg(file));
}

void CurvesView::chooseExportCsv() {
    const QString file =
        QFileDialog::getSaveFileName(this, tr("Export the curves as CSV"),
                                     QStringLiteral("curves.csv"), tr("CSV files (*.csv)"));
    QString error;
    if (!file.isEmpty() && !exportCsv(file, &error)) readout_->setText(error);
}

}  // namespace gz::ui
