#pragma once
// Thumbnails of the galaxy browser: decoded off the GUI thread (a small QThreadPool, libjpeg's
// DCT-domain reduced decode), kept in a bounded LRU cache (QCache). Requests for galaxies that
// scrolled out of view are cancelled before they are decoded.

#include <QCache>
#include <QHash>
#include <QImage>
#include <QObject>
#include <QSet>
#include <QString>
#include <QThreadPool>

#include <atomic>
#include <cstdint>
#include <memory>

#include "dataset/loadeddataset.h"

namespace gz::ui {

class ThumbnailLoader : public QObject {
    Q_OBJECT

public:
    enum class State {
        Loading,     ///< requested, not decoded yet
        Ready,       ///< image holds the thumbnail
        NoImage,     ///< the catalog has no image folder
        Missing,     ///< the file is gone
        Unreadable,  ///< the file cannot be decoded (error says why)
    };
    struct Thumbnail {
        State state = State::Loading;
        QImage image;
        QString error;
    };

    /// Longest side of a thumbnail, in pixels.
    static constexpr int kSide = 112;
    /// Default cache budget in KiB (about 700 thumbnails of 424x424 galaxies).
    static constexpr int kDefaultCacheKiB = 32 * 1024;

    explicit ThumbnailLoader(QObject* parent = nullptr);
    /// Cancels what is queued and waits for the decodes running.
    ~ThumbnailLoader() override;

    /// Forgets the cache and every request (a new data set).
    void setDataset(std::shared_ptr<const LoadedDataset> dataset);

    /// The thumbnail of catalog row `row` if it is cached; otherwise requests it (once) and
    /// returns State::Loading. thumbnailReady(row) follows when it is decoded.
    Thumbnail thumbnail(std::size_t row);
    /// Whether the row's thumbnail (or its failure) is in the cache.
    bool isCached(std::size_t row) const;
    /// Cancels the requests for every row outside [first, last].
    void keepOnly(std::size_t first, std::size_t last, const std::vector<std::size_t>& rows);
    /// Cancels every queued request.
    void cancelAll();

    void setCacheKiB(int kib) { cache_.setMaxCost(kib); }
    int cacheKiB() const { return static_cast<int>(cache_.totalCost()); }
    int cacheMaxKiB() const { return static_cast<int>(cache_.maxCost()); }
    int cachedCount() const { return static_cast<int>(cache_.count()); }
    int pendingCount() const { return static_cast<int>(pending_.size()); }
    /// Counters for tests and the benchmark.
    quint64 decodedCount() const { return decoded_.load(); }
    quint64 cancelledCount() const { return cancelled_.load(); }
    quint64 decodedOnGuiThread() const { return decodedOnGuiThread_.load(); }

signals:
    void thumbnailReady(qulonglong row);

private:
    void deliver(quint64 generation, std::size_t row, Thumbnail thumbnail);

    std::shared_ptr<const LoadedDataset> dataset_;
    QCache<std::size_t, Thumbnail> cache_;
    // Queued or running requests: their cancel flags, by row.
    QHash<std::size_t, std::shared_ptr<std::atomic_bool>> pending_;
    QThreadPool pool_;
    quint64 generation_ = 0;
    std::atomic<quint64> decoded_{0};
    std::atomic<quint64> cancelled_{0};
    std::atomic<quint64> decodedOnGuiThread_{0};
};

/// Decodes `file` into a thumbnail whose longest side is at most `side` (the reduced JPEG decode
/// that keeps at least `side` pixels, then a smooth scale). Throws gz::DataError.
QImage decodeThumbnail(const std::filesystem::path& file, int side);

}  // namespace gz::ui
