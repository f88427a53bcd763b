#include "training/batches.h"

namespace gz::detail {

void copyToChw(const cv::Mat& image, float* dst) {
    const int h = image.rows, w = image.cols, plane = h * w;
    for (int y = 0; y < h; ++y) {
        const float* row = image.ptr<float>(y);
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < 3; ++c) dst[c * plane + y * w + x] = row[3 * x + c];
    }
}

}  // namespace gz::detail
