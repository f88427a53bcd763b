#include "dataset/thumbnailloader.h"

#include <QCoreApplication>
#include <QThread>

#include <algorithm>
#include <array>
#include <system_error>
#include <utility>

#include "common/cvimage.h"
#include "common/uiformat.h"
#include "gz/error.h"
#include "gz/files.h"
#include "gz/image_pipeline.h"

namespace gz::ui {
namespace fs = std::filesystem;

QImage decodeThumbnail(const fs::path& file, int side) {
    const std::string bytes = readWholeFile(file);
    const std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
    // A 424-pixel galaxy at a quarter is 106 pixels: one decode. Smaller images are decoded
    // again at the largest reduction that keeps `side` pixels (cheap: they are small).
    SourceImage image = decodeImage(data, file, DecodeScale::Quarter);
    const int full = std::max(image.fullWidth, image.fullHeight);
    if (std::max(image.rgb.cols, image.rgb.rows) < side * 3 / 4) {
        constexpr std::array<std::pair<int, DecodeScale>, 3> scales = {
            {{2, DecodeScale::Half}, {1, DecodeScale::Full}, {1, DecodeScale::Full}}};
        for (const auto& [denom, scale] : scales)
            if ((full + denom - 1) / denom >= side * 3 / 4 || denom == 1) {
                image = decodeImage(data, file, scale);
                break;
            }
    }
    QImage out = toQImage(image.rgb);
    if (std::max(out.width(), out.height()) > side)
        out = out.scaled(side, side, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    return out;
}

ThumbnailLoader::ThumbnailLoader(QObject* parent) : QObject(parent) {
    cache_.setMaxCost(kDefaultCacheKiB);
    pool_.setMaxThreadCount(std::clamp(QThread::idealThreadCount(), 1, 2));
    pool_.setExpiryTimeout(5000);
}

ThumbnailLoader::~ThumbnailLoader() {
    cancelAll();
    pool_.clear();
    pool_.waitForDone();
}

void ThumbnailLoader::setDataset(std::shared_ptr<const LoadedDataset> dataset) {
    cancelAll();
    pool_.clear();  // queued decodes of the previous data set never start
    pending_.clear();
    ++generation_;
    cache_.clear();
    dataset_ = std::move(dataset);
}

bool ThumbnailLoader::isCached(std::size_t row) const {
    return cache_.contains(row);
}

ThumbnailLoader::Thumbnail ThumbnailLoader::thumbnail(std::size_t row) {
    if (const Thumbnail* cached = cache_.object(row)) return *cached;
    if (!dataset_ || row >= dataset_->catalog.size()) return {State::Unreadable, {}, {}};
    const auto path = dataset_->catalog.imagePath(row);
    if (!path) {
        cache_.insert(row, new Thumbnail{State::NoImage, {}, tr("No image folder")}, 1);
        return *cache_.object(row);
    }
    if (const auto it = pending_.constFind(row); it != pending_.cend()) {
        it.value()->store(false);  // wanted again before its decode started
    } else {
        auto cancelled = std::make_shared<std::atomic_bool>(false);
        pending_.insert(row, cancelled);
        const quint64 generation = generation_;
        pool_.start([this, file = *path, row, generation, cancelled] {
            if (cancelled->load()) {
                ++cancelled_;
                QMetaObject::invokeMethod(
                    this, [this, generation, row] { deliver(generation, row, {}); },
                    Qt::QueuedConnection);
                return;
            }
            Thumbnail t;
            std::error_code ec;
            if (!fs::exists(file, ec)) {
                t.state = State::Missing;
                t.error = tr("Image missing: %1").arg(toQString(file));
            } else {
                try {
                    t.image = decodeThumbnail(file, kSide);
                    t.state = State::Ready;
                } catch (const std::exception& e) {
                    t.state = State::Unreadable;
                    t.error = QString::fromStdString(e.what());
                }
            }
            ++decoded_;
            if (QThread::currentThread() == QCoreApplication::instance()->thread())
                ++decodedOnGuiThread_;
            QMetaObject::invokeMethod(
                this,
                [this, generation, row, t = std::move(t)]() mutable {
                    deliver(generation, row, std::move(t));
                },
                Qt::QueuedConnection);
        });
    }
    return {};
}

void ThumbnailLoader::deliver(quint64 generation, std::size_t row, Thumbnail thumbnail) {
    if (generation != generation_) return;
    pending_.remove(row);
    if (thumbnail.state == State::Loading) {  // cancelled: a repaint asks again if it is visible
        emit thumbnailReady(row);
        return;
    }
    const int cost = std::max<int>(1, static_cast<int>(thumbnail.image.sizeInBytes() / 1024));
    cache_.insert(row, new Thumbnail(std::move(thumbnail)), cost);
    emit thumbnailReady(row);
}

void ThumbnailLoader::keepOnly(std::size_t first, std::size_t last,
                               const std::vector<std::size_t>& rows) {
    // `rows` maps the view's positions to catalog rows; positions first..last are visible.
    QSet<std::size_t> keep;
    for (std::size_t i = first; i <= last && i < rows.size(); ++i) keep.insert(rows[i]);
    for (auto it = pending_.begin(); it != pending_.end(); ++it)
        if (!keep.contains(it.key())) it.value()->store(true);
}

void ThumbnailLoader::cancelAll() {
    for (auto& flag : pending_) flag->store(true);
}

}  // namespace gz::ui
