#include "training/curvesview.h"

#include <qcustomplot.h>
#include <QCheckBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/formcontrols.h"
#include "common/uiformat.h"
#include "common/uistyle.h"
#include "gz/files.h"

namespace gz::ui {

namespace {

const QColor kTrainColor(0x36, 0x4f, 0xc7);
const QColor kValColor(0xe0, 0x31, 0x31);
const QColor kLrColor(0x5c, 0x3d, 0x99);
const QColor kBatchColor(0x9d, 0xb0, 0xf2);
constexpr double kDefaultSmoothing = 0.6;  // TensorBoard's default weight
constexpr int kSmoothingSteps = 99;        // the slider's 0..99 is a weight of 0..0.99

void setData(QCPGraph* g, const std::vector<double>& x, const std::vector<double>& y) {
    QVector<double> keys, values;
    keys.reserve(static_cast<qsizetype>(x.size()));
    values.reserve(static_cast<qsizetype>(x.size()));
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i)
        if (std::isfinite(y[i])) {
            keys << x[i];
            values << y[i];
        }
    g->setData(keys, values, true);
}

// The plot's data ranges over its visible graphs; `positive` keeps only values above zero.
bool dataRange(QCustomPlot* plot, bool positive, QCPRange& keys, QCPRange& values) {
    bool any = false;
    for (int i = 0; i < plot->graphCount(); ++i) {
        QCPGraph* g = plot->graph(i);
        if (!g->visible() || g->data()->isEmpty()) continue;
        bool foundKeys = false, foundValues = false;
        const QCPRange k = g->getKeyRange(foundKeys, QCP::sdBoth);
        const QCPRange v = g->getValueRange(foundValues, positive ? QCP::sdPositive : QCP::sdBoth);
        if (!foundKeys || !foundValues) continue;
        if (any) {
            keys.expand(k);
            values.expand(v);
        } else {
            keys = k;
            values = v;
        }
        any = true;
    }
    return any;
}

}  // namespace

CurvesView::CurvesView(QWidget* parent) : QWidget(parent), emptyText_(tr("No data yet")) {
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
    lr_->yAxis->setNumberFormat(QStringLiteral("gb"));
    lr_->yAxis->setNumberPrecision(2);
    lr_->legend->setWrap(3);

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
    readout_->setWordWrap(true);
    setMuted(readout_);
    allowNarrow(readout_);

    smoothing_ = new QSlider(Qt::Horizontal);
    smoothing_->setObjectName(QStringLiteral("smoothingSlider"));
    smoothing_->setRange(0, kSmoothingSteps);
    smoothing_->setValue(static_cast<int>(std::lround(kDefaultSmoothing * 100)));
    smoothing_->setMinimumWidth(80);
    smoothing_->setMaximumWidth(140);
    smoothing_->setToolTip(
        tr("Moving average over the per-batch losses (0: raw values), as TensorBoard draws it"));
    smoothingValue_ = new QLabel;
    connect(smoothing_, &QSlider::valueChanged, this, [this] { redraw(); });
    logLoss_ = new QCheckBox(tr("Log loss axis"));
    logLoss_->setObjectName(QStringLiteral("logLossCheck"));
    connect(logLoss_, &QCheckBox::toggled, this, &CurvesView::setLogLoss);
    legends_ = new QCheckBox(tr("Legends"));
    legends_->setObjectName(QStringLiteral("legendsCheck"));
    legends_->setChecked(true);
    legends_->setToolTip(tr("Show the legends below the plots"));
    connect(legends_, &QCheckBox::toggled, this, &CurvesView::setLegendsVisible);

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
    // Two short rows, so that the view stays narrow enough for a 1024-pixel window.
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Smoothing")));
    controls->addWidget(smoothing_);
    controls->addWidget(smoothingValue_);
    controls->addSpacing(8);
    controls->addWidget(logLoss_);
    controls->addWidget(legends_);
    controls->addStretch(1);
    auto* bar = new QHBoxLayout;
    bar->addWidget(readout_, 1);
    bar->addWidget(fit);
    bar->addWidget(png);
    bar->addWidget(csv);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plots_, 1);
    layout->addLayout(controls);
    layout->addLayout(bar);
    setRuns({});
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
    // The legend lives in its own row below the axis rect, so it never covers a curve.
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    plot->axisRect()->insetLayout()->take(plot->legend);
    plot->legend->setFont(small);
    plot->legend->setBrush(Qt::NoBrush);
    plot->legend->setBorderPen(Qt::NoPen);
    plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot->legend->setWrap(2);
    plot->legend->setMargins(QMargins(4, 0, 4, 2));
    showLegend(plot, true);

    auto* empty = new QCPItemText(plot);
    empty->setObjectName(QStringLiteral("noDataText"));
    empty->position->setType(QCPItemPosition::ptAxisRectRatio);
    empty->position->setCoords(0.5, 0.5);
    empty->setColor(mutedColor());
    empty->setTextAlignment(Qt::AlignHCenter);
    empty->setClipToAxisRect(false);
    empty->setVisible(false);

    auto* tracer = new QCPItemTracer(plot);
    tracer->setObjectName(QStringLiteral("hoverTracer"));
    tracer->setStyle(QCPItemTracer::tsCircle);
    tracer->setSize(9);
    tracer->setPen(QPen(Qt::black, 1.5));
    tracer->setVisible(false);
    connect(plot, &QCustomPlot::mouseMove, this,
            [this, plot](QMouseEvent* e) { hoverAt(plot, e->pos()); });
    // Only a real zoom or pan keeps the view from fitting new points; a click does not.
    connect(plot, &QCustomPlot::mouseWheel, this, [this] { userZoomed_ = true; });
    connect(plot, &QCustomPlot::mousePress, this,
            [this](QMouseEvent* e) { pressedAt_ = e->pos(); });
    connect(plot, &QCustomPlot::mouseRelease, this, [this](QMouseEvent* e) {
        if ((e->pos() - pressedAt_).manhattanLength() > 3) userZoomed_ = true;
    });
    connect(plot, &QCustomPlot::mouseDoubleClick, this, &CurvesView::resetZoom);
    connect(plot, &QCustomPlot::beforeReplot, this, [this, plot] { fitLegend(plot); });
}

void CurvesView::setCurves(const RunCurves& run) {
    setRuns({run});
}

void CurvesView::setRuns(const std::vector<RunCurves>& runs) {
    runs_.clear();
    for (const RunCurves& r : runs)
        if (!r.empty()) runs_.push_back(r);
    redraw();
}

void CurvesView::setEmptyText(const QString& text) {
    emptyText_ = text;
    redraw();
}

double CurvesView::smoothing() const {
    return smoothing_->value() / 100.0;
}

void CurvesView::setSmoothing(double weight) {
    smoothing_->setValue(static_cast<int>(std::lround(std::clamp(weight, 0.0, 0.99) * 100)));
}

void CurvesView::redraw() {
    smoothingValue_->setText(QString::number(smoothing(), 'f', 2));
    // Only per-batch curves (those of a run being trained) are smoothed.
    const bool batches = std::any_of(runs_.begin(), runs_.end(),
                                     [](const RunCurves& r) { return !r.batchX.empty(); });
    smoothing_->setEnabled(batches);
    smoothingValue_->setEnabled(batches);
    for (QCustomPlot* plot : {loss_, accuracy_, lr_}) plot->clearGraphs();
    for (int i = 0; i < runCount(); ++i) addRunGraphs(i);
    // With several runs a legend names each run once (by its validation curve); the line
    // styles are told under the axis.
    const QString epochLabel =
        runCount() > 1 ? tr("Epoch  (solid: validation, dashed: training)") : tr("Epoch");
    const bool votes = std::any_of(runs_.begin(), runs_.end(), [](const RunCurves& r) {
        return std::any_of(r.epochs.begin(), r.epochs.end(), [](const EpochRecord& e) {
            return std::isfinite(e.trainVotesLoss);  // a votes head's loss, drawn dotted
        });
    });
    loss_->xAxis->setLabel(runCount() > 1 && votes
                               ? tr("Epoch  (solid: validation, dashed: training, dotted: votes)")
                               : epochLabel);
    accuracy_->xAxis->setLabel(epochLabel);
    for (QCustomPlot* plot : {loss_, accuracy_, lr_}) {
        bool empty = true;
        for (int i = 0; i < plot->graphCount(); ++i)
            if (!plot->graph(i)->data()->isEmpty()) empty = false;
        showEmptyState(plot, empty);
    }
    if (!userZoomed_) rescale();
    for (QCustomPlot* plot : {loss_, accuracy_, lr_}) plot->replot(QCustomPlot::rpQueuedReplot);
}

void CurvesView::addRunGraphs(int index) {
    const RunCurves& run = runs_[static_cast<std::size_t>(index)];
    const bool single = runCount() == 1;
    const QColor color = runColor(index);
    const auto add = [&](QCustomPlot* plot, const QString& series, const QString& name,
                         const QColor& c, double width, Qt::PenStyle style) {
        QCPGraph* g = plot->addGraph();
        g->setName(name);
        g->setProperty("run", index);
        g->setProperty("series", series);
        g->setPen(QPen(c, width, style));
        g->setAdaptiveSampling(true);
        return g;
    };
    const auto markers = [](QCPGraph* g, const QColor& c) {
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, c, Qt::white, 6));
    };
    const auto named = [&](const QString& what) {
        return single ? what : QStringLiteral("%1: %2").arg(run.name, what);
    };
    const std::vector<double> x = run.epochX();

    struct Metric {
        QCustomPlot* plot;
        double EpochRecord::*train;
        double EpochRecord::*val;
        const std::vector<double>* batch;
        QString trainName, valName, batchName;
    };
    const std::vector<double> smoothed = smoothCurve(run.batchLoss, smoothing());
    const Metric metrics[] = {
        {loss_, &EpochRecord::trainLoss, &EpochRecord::valLoss, &smoothed,
         single ? tr("Training loss per epoch") : tr("training"),
         single ? tr("Validation loss per epoch") : tr("validation"),
         single ? tr("Training loss per batch (smoothed)") : tr("per batch")},
        {accuracy_, &EpochRecord::trainAccuracy, &EpochRecord::valAccuracy, &run.batchAccuracy,
         single ? tr("Training accuracy per epoch") : tr("training"),
         single ? tr("Validation accuracy per epoch") : tr("validation"),
         single ? tr("Training accuracy in the epoch so far") : tr("per batch")}};
    for (const Metric& m : metrics) {
        if (!run.batchX.empty()) {
            QCPGraph* b = add(m.plot, QStringLiteral("batch"), named(m.batchName),
                              single ? kBatchColor : color.lighter(160), 1, Qt::SolidLine);
            setData(b, run.batchX, *m.batch);
        }
        QCPGraph* t =
            add(m.plot, QStringLiteral("train"), named(m.trainName), single ? kTrainColor : color,
                single ? 2 : 1.5, single ? Qt::SolidLine : Qt::DashLine);
        if (single) markers(t, kTrainColor);
        setData(t, x, run.epochColumn(m.train));
        QCPGraph* v = add(m.plot, QStringLiteral("val"), named(m.valName),
                          single ? kValColor : color, 2, Qt::SolidLine);
        markers(v, single ? kValColor : color);
        setData(v, x, run.epochColumn(m.val));
        if (!single) {  // the legend names the run once; the read-out says which curve
            t->removeFromLegend();
            v->setProperty("readoutName", v->name());
            v->setName(run.name);
        }
        if (run.bestEpoch) {
            // The epoch of the run's model (the best by its selection metric, or the last): a
            // star on its validation point (its training point without one).
            for (const EpochRecord& r : run.epochs)
                if (r.epoch == *run.bestEpoch) {
                    const double value = std::isfinite(r.*m.val) ? r.*m.val : r.*m.train;
                    QCPGraph* best =
                        add(m.plot, QStringLiteral("best"),
                            named(tr("model: epoch %1").arg(r.epoch)), color, 1, Qt::SolidLine);
                    best->setLineStyle(QCPGraph::lsNone);
                    best->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssStar,
                                                          QPen(color.darker(130), 2),
                                                          QBrush(Qt::NoBrush), 16));
                    setData(best, {static_cast<double>(r.epoch)}, {value});
                    if (!single) best->removeFromLegend();
                }
        }
    }
    // The votes head's loss before its weight, dotted beside the classes' losses (no graph
    // data, so no legend entry, without a votes head).
    QCPGraph* votes = add(loss_, QStringLiteral("votes"),
                          named(single ? tr("Training votes loss per epoch") : tr("votes loss")),
                          single ? kTrainColor : color, 1.5, Qt::DotLine);
    setData(votes, x, run.epochColumn(&EpochRecord::trainVotesLoss));
    if (!single) votes->removeFromLegend();
    if (!run.batchX.empty())
        setData(add(lr_, QStringLiteral("batch"),
                    single ? tr("Learning rate per batch") : named(tr("learning rate per batch")),
                    single ? kLrColor.lighter(150) : color.lighter(160), 1, Qt::SolidLine),
                run.batchX, run.batchLr);
    QCPGraph* lr =
        add(lr_, QStringLiteral("train"), single ? tr("Learning rate per epoch") : run.name,
            single ? kLrColor : color, 2, Qt::SolidLine);
    markers(lr, single ? kLrColor : color);
    setData(lr, x, run.epochColumn(&EpochRecord::lr));
    for (QCustomPlot* plot : {loss_, accuracy_, lr_})
        for (int i = 0; i < plot->graphCount(); ++i) {
            QCPGraph* g = plot->graph(i);
            if (g->data()->isEmpty()) g->removeFromLegend();
            // One run: short legend entries (the axis names the quantity), full read-outs.
            const QString series = g->property("series").toString();
            const QString legendName =
                series == QLatin1String("train") ? (plot == lr_ ? tr("Per epoch") : tr("Training"))
                : series == QLatin1String("val") ? tr("Validation")
                : series == QLatin1String("votes") ? tr("Votes (training)")
                : series == QLatin1String("batch")
                    ? (plot == loss_ ? tr("Per batch (smoothed)") : tr("Per batch"))
                    : QString();
            if (single && !legendName.isEmpty()) {
                g->setProperty("readoutName", g->name());
                g->setName(legendName);
            }
        }
}

void CurvesView::fitLegend(QCustomPlot* plot) {
    // As many legend columns as fit the plot's width (item i sits in column i % columns).
    QCPLegend* legend = plot->legend;
    std::vector<int> widths;
    for (int i = 0; i < legend->itemCount(); ++i)
        if (const QCPAbstractLegendItem* item = legend->item(i))  // cells may be empty
            widths.push_back(item->minimumOuterSizeHint().width());
    const int room = plot->width() - legend->margins().left() - legend->margins().right() - 8;
    int columns = std::max<int>(1, static_cast<int>(widths.size()));
    for (; columns > 1; --columns) {
        std::vector<int> column(static_cast<std::size_t>(columns), 0);
        for (std::size_t i = 0; i < widths.size(); ++i)
            column[i % column.size()] = std::max(column[i % column.size()], widths[i]);
        int total = legend->columnSpacing() * (columns - 1);
        for (int w : column) total += w;
        if (total <= room) break;
    }
    if (legend->wrap() == columns) return;
    legend->setWrap(columns);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);  // re-lays the items out
}

void CurvesView::showLegend(QCustomPlot* plot, bool on) {
    QCPLayoutGrid* layout = plot->plotLayout();
    const bool placed = layout->hasElement(1, 0) && layout->element(1, 0) == plot->legend;
    if (on && !placed) {
        layout->addElement(1, 0, plot->legend);
        layout->setRowStretchFactor(1, 0.001);
    } else if (!on && placed) {
        layout->take(plot->legend);
        layout->simplify();
    }
    plot->legend->setVisible(on);
}

void CurvesView::showEmptyState(QCustomPlot* plot, bool empty) {
    // An empty plot says so, without axes that would suggest a scale.
    for (QCPAxis* a : {plot->xAxis, plot->yAxis}) {
        a->setVisible(!empty);
        a->grid()->setVisible(!empty);
    }
    for (int i = 0; i < plot->itemCount(); ++i)
        if (auto* text = qobject_cast<QCPItemText*>(plot->item(i))) {
            text->setText(emptyText_);
            text->setVisible(empty);
        }
    showLegend(plot, !empty && legends_->isChecked() && plot->legend->itemCount() > 0);
}

bool CurvesView::showsNoData(QCustomPlot* plot) const {
    for (int i = 0; i < plot->itemCount(); ++i)
        if (auto* text = qobject_cast<QCPItemText*>(plot->item(i))) return text->visible();
    return false;
}

void CurvesView::setLogLoss(bool on) {
    if (logLoss_->isChecked() != on) {
        logLoss_->setChecked(on);  // comes back here through toggled
        return;
    }
    loss_->yAxis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (on)
        loss_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    else
        loss_->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    resetZoom();
}

void CurvesView::setLegendsVisible(bool on) {
    if (legends_->isChecked() != on) {
        legends_->setChecked(on);  // comes back here through toggled
        return;
    }
    redraw();
}

void CurvesView::rescale() {
    for (QCustomPlot* plot : {loss_, accuracy_, lr_}) {
        const bool log = plot->yAxis->scaleType() == QCPAxis::stLogarithmic;
        QCPRange keys(0, 1), values(0, 1);
        const bool any = dataRange(plot, log, keys, values);
        // From epoch 0, with room for the markers at the last epoch.
        plot->xAxis->setRange(std::min(0.0, keys.lower), std::max(keys.upper, 1.0) * 1.04);
        if (log) {
            // At least 1.7 decades, so that the axis has decade ticks (1, 10) to read.
            double lower = any ? values.lower / 1.3 : 0.1, upper = any ? values.upper * 1.3 : 10;
            const double missing = std::log10(std::pow(10.0, 1.7) / (upper / lower));
            if (missing > 0) {
                lower /= std::pow(10.0, missing / 2);
                upper *= std::pow(10.0, missing / 2);
            }
            plot->yAxis->setRange(lower, upper);
        } else if (plot == accuracy_) {
            plot->yAxis->setRange(std::min(0.0, values.lower), std::max(1.02, values.upper * 1.02));
        } else {
            const double top = values.upper + 0.08 * std::abs(values.upper);
            plot->yAxis->setRange(std::min(0.0, values.lower),
                                  std::max(top, plot == loss_ ? 0.1 : 1e-6));
        }
    }
}

void CurvesView::resetZoom() {
    userZoomed_ = false;
    rescale();
    for (QCustomPlot* plot : {loss_, accuracy_, lr_}) plot->replot();
}

QCPGraph* CurvesView::graphOf(QCustomPlot* plot, int run, const QString& series) const {
    for (int i = 0; i < plot->graphCount(); ++i) {
        QCPGraph* g = plot->graph(i);
        if (g->property("run").toInt() == run && g->property("series").toString() == series)
            return g;
    }
    return nullptr;
}

int CurvesView::batchPointCount() const {
    const QCPGraph* g = graphOf(loss_, 0, QStringLiteral("batch"));
    return g ? g->dataCount() : 0;
}

int CurvesView::epochPointCount() const {
    const QCPGraph* g = graphOf(loss_, 0, QStringLiteral("train"));
    return g ? g->dataCount() : 0;
}

int CurvesView::comparisonPointCount() const {
    const QCPGraph* g = graphOf(loss_, 1, QStringLiteral("train"));
    return g ? g->dataCount() : 0;
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
    const QVariant readoutName = best->property("readoutName");
    readout_->setText(tr("%1, epoch %2: %3")
                          .arg(readoutName.isValid() ? readoutName.toString() : best->name(),
                               QString::number(bestKey, 'f', 2), value));
}

bool CurvesView::exportPng(const QString& file) {
    for (QCustomPlot* plot : {loss_, accuracy_, lr_}) plot->replot();
    return plots_->grab().save(file, "PNG");
}

bool CurvesView::exportCsv(const QString& file, QString* error) const {
    try {
        writeFileAtomically(toPath(file),
                            [this](std::ostream& out) { writeCurvesCsv(out, runs_, smoothing()); });
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
