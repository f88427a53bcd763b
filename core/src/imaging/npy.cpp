#include "gz/npy.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "gz/error.h"
#include "util/file_io.h"

namespace gz {
namespace fs = std::filesystem;
using detail::pwriteAll;
using detail::systemError;

const char* npyDescr(NpyType type) {
    return type == NpyType::Float32 ? "<f4" : "<i4";
}

std::string npyHeader(NpyType type, const std::vector<std::size_t>& shape) {
    // numpy.lib.format._write_array_header with version (1, 0).
    std::string dict = "{'descr': '";
    dict += npyDescr(type);
    dict += "', 'fortran_order': False, 'shape': (";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i) dict += ", ";
        dict += std::to_string(shape[i]);
    }
    if (shape.size() == 1) dict += ",";
    dict += "), }";
    constexpr std::size_t kGrowthAxisMaxDigits = 21;
    if (!shape.empty()) dict.append(kGrowthAxisMaxDigits - std::to_string(shape[0]).size(), ' ');
    constexpr std::size_t kMagicAndLength = 10, kAlign = 64;
    const std::size_t hlen = dict.size() + 1;                            // with the final newline
    const std::size_t pad = kAlign - (kMagicAndLength + hlen) % kAlign;  // 64 when aligned
    const std::size_t length = hlen + pad;
    if (length > 0xFFFF) throw std::length_error(".npy header too long for format 1.0");
    std::string h = "\x93NUMPY";
    h += '\x01';
    h += '\x00';
    h += static_cast<char>(length & 0xFF);
    h += static_cast<char>(length >> 8);
    h += dict;
    h.append(pad, ' ');
    h += '\n';
    return h;
}

namespace {

std::size_t product(const std::vector<std::size_t>& v) {
    std::size_t p = 1;
    for (auto x : v) p *= x;
    return p;
}

}  // namespace

NpyWriter::NpyWriter(fs::path target, NpyType type, std::vector<std::size_t> rowShape,
                     std::size_t rows, fs::path shownAs)
    : target_(std::move(target)),
      shown_(shownAs.empty() ? target_ : std::move(shownAs)),
      type_(type),
      rowShape_(std::move(rowShape)),
      rows_(rows) {
    rowBytes_ = product(rowShape_) * 4;
    headerBytes_ = npyHeader(type_, shape()).size();
    temp_ = detail::temporaryPathFor(target_);
    fd_ = ::open(temp_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0)
        throw DataError(shown_, "cannot write (folder not writable?): " + systemError(errno));
}

NpyWriter::~NpyWriter() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) {
        std::error_code ec;
        fs::remove(temp_, ec);
    }
}

std::vector<std::size_t> NpyWriter::shape() const {
    std::vector<std::size_t> s{rows_};
    s.insert(s.end(), rowShape_.begin(), rowShape_.end());
    return s;
}

void NpyWriter::writeRows(std::size_t first, const void* data, std::size_t count) {
    if (first + count > rows_) throw std::out_of_range("NpyWriter: row index past the end");
    pwriteAll(fd_, data, count * rowBytes_, headerBytes_ + first * rowBytes_, shown_);
}

void NpyWriter::setRows(std::size_t rows) {
    std::vector<std::size_t> s = shape();
    s[0] = rows;
    if (npyHeader(type_, s).size() != headerBytes_)
        throw std::logic_error("NpyWriter: the header length would change");
    rows_ = rows;
}

void NpyWriter::finish() {
    const std::string header = npyHeader(type_, shape());
    if (header.size() != headerBytes_) throw std::logic_error("NpyWriter: header length changed");
    pwriteAll(fd_, header.data(), header.size(), 0, shown_);
    const auto size = static_cast<off_t>(headerBytes_ + rows_ * rowBytes_);
    if (::ftruncate(fd_, size) != 0)
        throw DataError(shown_, "write failed (disk full?): " + systemError(errno));
    if (::fsync(fd_) != 0) throw DataError(shown_, "cannot sync to disk: " + systemError(errno));
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw DataError(shown_, "write failed: " + systemError(errno));
    finished_ = true;
}

void NpyWriter::commit() {
    if (!finished_) throw std::logic_error("NpyWriter: commit() before finish()");
    std::error_code ec;
    fs::rename(temp_, target_, ec);
    if (ec) throw DataError(shown_, "cannot replace file: " + ec.message());
    committed_ = true;
}

}  // namespace gz
