#include "common/cvimage.h"

namespace gz::ui {

QImage toQImage(const cv::Mat& rgb8) {
    CV_Assert(rgb8.type() == CV_8UC3);
    return QImage(rgb8.data, rgb8.cols, rgb8.rows, static_cast<qsizetype>(rgb8.step),
                  QImage::Format_RGB888)
        .copy();
}

}  // namespace gz::ui
