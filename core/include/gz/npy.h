#pragma once
// NumPy .npy files (format version 1.0), byte for byte as numpy.save (1.24) writes them, streamed
// row by row so that memory does not grow with the number of rows.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace gz {

/// The element types the original workflow's arrays use.
enum class NpyType { Float32, Int32 };

/// "<f4" or "<i4".
const char* npyDescr(NpyType type);

/// The complete header numpy.save writes for a C-order array of `shape`: "\x93NUMPY", version
/// 1.0, the little-endian uint16 header length, the dict "{'descr': '<f4', 'fortran_order':
/// False, 'shape': (2, 3), }", numpy's spare spaces for growing the first axis (21 minus its
/// digits), then spaces and a final '\n' to a multiple of 64 bytes. Its length does not depend
/// on the first axis (up to 21 digits).
std::string npyHeader(NpyType type, const std::vector<std::size_t>& shape);

/// One .npy file written under a temporary name beside `target`; rows may be written in any
/// order from any thread. commit() renames the finished file over `target`; a writer destroyed
/// without commit() removes its temporary, so `target` is either the complete new file or left
/// exactly as it was. Errors throw DataError naming `target`.
/// A float32 matrix read from a .npy file.
struct NpyMatrix {
    std::size_t rows = 0, cols = 0;
    std::vector<float> values;  ///< rows x cols, row-major
};

/// Reads a C-order little-endian float32 array of two axes (a header of version 1.0 or 2.0).
/// Throws DataError naming `file` for anything else: not a .npy file, another type, Fortran order,
/// another number of axes, a file shorter or longer than its header says.
NpyMatrix readNpyMatrix(const std::filesystem::path& file);

class NpyWriter {
public:
    /// `rowShape` is the shape after the first axis; `rows` the first axis (may be changed with
    /// setRows() before finish(), e.g. from a placeholder). Errors name `shownAs` when given (the
    /// path a user knows the file by), else `target`.
    NpyWriter(std::filesystem::path target, NpyType type, std::vector<std::size_t> rowShape,
              std::size_t rows, std::filesystem::path shownAs = {});
    ~NpyWriter();
    NpyWriter(const NpyWriter&) = delete;
    NpyWriter& operator=(const NpyWriter&) = delete;

    std::size_t rows() const { return rows_; }
    std::size_t rowBytes() const { return rowBytes_; }
    std::vector<std::size_t> shape() const;
    NpyType type() const { return type_; }
    const std::filesystem::path& target() const { return target_; }
    const std::filesystem::path& temporary() const { return temp_; }

    /// Rows [first, first + count) from `data` (C order, count * rowBytes() bytes, native
    /// little-endian). Safe to call from several threads at once for different rows.
    void writeRows(std::size_t first, const void* data, std::size_t count);
    void setRows(std::size_t rows);
    /// Writes the final header, truncates to the exact size and syncs. The file still has its
    /// temporary name.
    void finish();
    /// Renames the finished file over target (after finish()).
    void commit();

private:
    std::filesystem::path target_, temp_, shown_;
    NpyType type_;
    std::vector<std::size_t> rowShape_;
    std::size_t rows_ = 0;
    std::size_t rowBytes_ = 0;
    std::size_t headerBytes_ = 0;
    int fd_ = -1;
    bool finished_ = false;
    bool committed_ = false;
};

}  // namespace gz
