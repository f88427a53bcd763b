#pragma once
// Child processes that end the hard way, for the tests of what a kill leaves behind.

#include <functional>

namespace gz::test {

/// Runs `work` in a forked child process that `work` is meant to end with SIGKILL at a chosen
/// point (killSelf() from a progress callback); waits for it. Returns the child's process id
/// (ended and reaped, so no longer alive) when SIGKILL ended it, else -1 (`work` returned, threw
/// or the child ended otherwise).
int runUntilKilled(const std::function<void()>& work);

/// Ends the calling process with SIGKILL, as a power cut or the OOM killer would.
[[noreturn]] void killSelf();

/// The process id of a process that has ended (forked, exited and reaped).
int endedProcessId();

}  // namespace gz::test
