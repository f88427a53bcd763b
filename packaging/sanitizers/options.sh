# Sourced by the sanitizer scripts: the runtime options of ASan, LSan and UBSan. Every error stops
# the program with a stack trace (the build also has -fno-sanitize-recover=all).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# clear_shadow_mmap_threshold: ASan gives every allocation over 128 KB (a tensor) its own mapping and
# by default clears a freed one's shadow over 64 KB by mapping fresh pages, which the next
# allocation faults in again: 2.9 million page faults and 40% of the time of a training test. Clearing
# shadows up to 64 MB with memset instead cut a test's time by about a tenth (median of 3 pairs).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:strict_init_order=1:check_initialization_order=1:detect_stack_use_after_return=0:clear_shadow_mmap_threshold=67108864
export LSAN_OPTIONS=suppressions=$here/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer || true)}
