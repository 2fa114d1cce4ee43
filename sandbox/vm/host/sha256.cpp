#include "sha256.hpp"

#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <vector>

namespace ringfence::vm {
namespace {

struct CtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

std::string hex(const unsigned char* d, unsigned n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (unsigned i = 0; i < n; ++i) {
        out.push_back(kDigits[d[i] >> 4]);
        out.push_back(kDigits[d[i] & 15]);
    }
    return out;
}

template <class Feed>
Result<std::string> digest(Feed feed) {
    std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
        return internal_error("sha256: OpenSSL could not initialise a digest");
    if (auto fed = feed(ctx.get()); !fed) return std::move(fed).error();
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (EVP_DigestFinal_ex(ctx.get(), out, &len) != 1) return internal_error("sha256: digest failed");
    return hex(out, len);
}

}  // namespace

Result<std::string> sha256_fd(int fd) {
    return digest([fd](EVP_MD_CTX* ctx) -> Result<void> {
        std::vector<unsigned char> buf(1 << 20);
        off_t offset = 0;
        while (true) {
            const ssize_t n = ::pread(fd, buf.data(), buf.size(), offset);
            if (n < 0) {
                if (errno == EINTR) continue;
                return setup_error("sha256: read failed", errno);
            }
            if (n == 0) return {};
            EVP_DigestUpdate(ctx, buf.data(), static_cast<std::size_t>(n));
            offset += n;
        }
    });
}

std::string sha256_hex(std::string_view data) {
    auto r = digest([data](EVP_MD_CTX* ctx) -> Result<void> {
        EVP_DigestUpdate(ctx, data.data(), data.size());
        return {};
    });
    return r ? r.value() : std::string{};
}

}  // namespace ringfence::vm
