#pragma once
// The image pipeline: JPEG decoding, the augmentation parameters and their draws, and the
// training and evaluation transforms.

#include "gz/augmentation.h"
#include "gz/jpeg_decoder.h"
#include "gz/transforms.h"
