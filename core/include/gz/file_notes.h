#pragma once
// Where core's writes without a progress or log channel of their own tell what they did beside
// the write.

#include <functional>
#include <string>

namespace gz {

/// Receives the notes of those writes: the stale temporaries of an interrupted write (a killed
/// process of this host) removed from the folder written to ("removed 1 stale temporary file left
/// by an interrupted write: <path>"). By default each note goes to standard error as
/// "galaxy: <note>"; an empty sink restores that. Called from the writing thread.
void setFileNoteSink(std::function<void(const std::string&)> sink);

}  // namespace gz
