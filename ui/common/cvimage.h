#pragma once
// Decoded images (OpenCV RGB) as the QImages the views draw.

#include <QImage>

#include <opencv2/core.hpp>

namespace gz::ui {

/// cv::Mat (CV_8UC3 RGB) to a QImage that owns its pixels.
QImage toQImage(const cv::Mat& rgb8);

}  // namespace gz::ui
