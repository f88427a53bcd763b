#include "fuzz_support.h"

#include <unistd.h>

#include <fstream>

namespace gz::fuzz {

namespace {

// Made on first use, removed with everything in it when the process ends normally.
struct ScratchFolder {
    std::filesystem::path path;
    ScratchFolder() {
        // In memory when the system has /dev/shm: on a disk folder a target runs 50x slower.
        const std::filesystem::path shm = "/dev/shm";
        std::error_code ec;
        const std::filesystem::path base =
            std::filesystem::is_directory(shm, ec) ? shm : std::filesystem::temp_directory_path();
        std::string pattern = (base / "gz-fuzz-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) fail("cannot make a scratch folder");
        path = pattern;
    }
    ~ScratchFolder() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
};

}  // namespace

std::filesystem::path scratchFolder() {
    static const ScratchFolder folder;
    return folder.path;
}

void writeBytes(const std::filesystem::path& file, const std::uint8_t* data, std::size_t size) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out.flush()) fail("cannot write " + file.string());
}

}  // namespace gz::fuzz
