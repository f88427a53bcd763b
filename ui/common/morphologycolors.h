#pragma once
// The one palette of the five morphologies (plus "unlabeled"): every panel, plot and delegate
// takes its colours and display names from here so that a class looks the same everywhere.

#include <QColor>
#include <QIcon>
#include <QString>

#include <array>

#include "gz/morphology.h"

namespace gz::ui {

/// Colours by label 0-4, then unlabeled. Okabe-Ito based: distinguishable with colour-blindness;
/// the three smooth classes share warm hues, the disks cool ones.
inline constexpr std::array<QRgb, kMorphologyCount + 1> kMorphologyRgb = {
    0xffe69f00,  // round: orange
    0xffd55e00,  // in-between: vermillion
    0xffcc79a7,  // cigar: reddish purple
    0xff009e73,  // edge-on: bluish green
    0xff0072b2,  // spiral: blue
    0xff9e9e9e,  // unlabeled: grey
};

/// Colour of a label (0-4); any other value (kUnlabeled) gives the unlabeled grey.
QColor morphologyColor(int label);

/// The display name of a class in every panel: "Round", "In-between", "Cigar", "Edge-on",
/// "Spiral", "Unlabeled".
QString morphologyShortName(int label);

/// The class's description from gz::kMorphologyTitles ("Completely round smooth" ...), or
/// "Unlabeled": for tooltips beside the display name, never instead of it.
QString morphologyTitle(int label);

/// A small rounded square in the label's colour, for tables, lists and legends.
QIcon morphologySwatch(int label, int size = 14);

}  // namespace gz::ui
