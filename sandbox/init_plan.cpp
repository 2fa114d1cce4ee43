#include "init_plan.hpp"

#include <cstdint>
#include <cstring>

namespace ringfence {
namespace {

constexpr std::string_view kMagic{"ringfence-init-plan-1\n"};

class Writer {
public:
    void u64(std::uint64_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof(v)); }
    void str(const std::string& s) {
        u64(s.size());
        out_ += s;
    }
    std::string take() { return std::move(out_); }
    void raw(std::string_view s) { out_ += s; }

private:
    std::string out_;
};

class Reader {
public:
    explicit Reader(std::string_view in) : in_(in) {}
    bool u64(std::uint64_t& v) {
        if (in_.size() < sizeof(v)) return false;
        std::memcpy(&v, in_.data(), sizeof(v));
        in_.remove_prefix(sizeof(v));
        return true;
    }
    bool str(std::string& s) {
        std::uint64_t n = 0;
        if (!u64(n) || n > in_.size()) return false;
        s.assign(in_.data(), n);
        in_.remove_prefix(n);
        return true;
    }
    bool bytes(void* dst, std::size_t n) {
        if (n > in_.size()) return false;
        std::memcpy(dst, in_.data(), n);
        in_.remove_prefix(n);
        return true;
    }
    bool expect(std::string_view prefix) {
        if (in_.substr(0, prefix.size()) != prefix) return false;
        in_.remove_prefix(prefix.size());
        return true;
    }
    bool done() const { return in_.empty(); }
    std::size_t left() const { return in_.size(); }

private:
    std::string_view in_;
};

constexpr std::uint64_t kLastKind = static_cast<std::uint64_t>(MountOp::Kind::set_attr);

}  // namespace

unsigned encode_init_flags(const InitFlags& f) noexcept {
    return (f.root_mode ? 1u : 0u) | (f.use_landlock ? 2u : 0u) | (f.allow_network ? 4u : 0u) |
           (f.unshare_cgroup_ns ? 8u : 0u);
}

InitFlags decode_init_flags(unsigned bits) noexcept {
    return {(bits & 1u) != 0, (bits & 2u) != 0, (bits & 4u) != 0, (bits & 8u) != 0};
}

std::string encode_init_plan(const MountPlan& mounts, const SeccompProgram& seccomp) {
    Writer w;
    w.raw(kMagic);
    w.str(mounts.staging);
    w.u64(mounts.ops.size());
    for (const MountOp& op : mounts.ops) {
        w.u64(static_cast<std::uint64_t>(op.kind));
        w.str(op.path);
        w.str(op.source);
        w.u64(op.flags);
        w.u64(op.attr_set);
        w.u64(op.recursive ? 1 : 0);
        w.u64(op.mode);
    }
    w.u64(mounts.writable_dirs.size());
    for (const auto& dir : mounts.writable_dirs) w.str(dir);
    w.u64(seccomp.instructions.size());
    w.raw({reinterpret_cast<const char*>(seccomp.instructions.data()),
           seccomp.instructions.size() * sizeof(sock_filter)});
    return w.take();
}

std::optional<InitPlan> decode_init_plan(std::string_view bytes) {
    Reader r(bytes);
    InitPlan plan;
    std::uint64_t count = 0;
    if (!r.expect(kMagic) || !r.str(plan.mounts.staging) || !r.u64(count)) return std::nullopt;
    // Every op takes at least its fixed fields: a count beyond that is damage, not a reason to allocate.
    if (count > r.left() / (7 * sizeof(std::uint64_t))) return std::nullopt;
    plan.mounts.ops.resize(count);
    for (MountOp& op : plan.mounts.ops) {
        std::uint64_t kind = 0, flags = 0, recursive = 0, mode = 0;
        if (!r.u64(kind) || kind > kLastKind || !r.str(op.path) || !r.str(op.source) || !r.u64(flags) ||
            !r.u64(op.attr_set) || !r.u64(recursive) || recursive > 1 || !r.u64(mode) || mode > 07777)
            return std::nullopt;
        op.kind = static_cast<MountOp::Kind>(kind);
        op.flags = static_cast<unsigned long>(flags);
        op.recursive = recursive == 1;
        op.mode = static_cast<unsigned>(mode);
    }
    if (!r.u64(count) || count > r.left() / sizeof(std::uint64_t)) return std::nullopt;
    plan.mounts.writable_dirs.resize(count);
    for (auto& dir : plan.mounts.writable_dirs)
        if (!r.str(dir)) return std::nullopt;
    // A classic BPF program has at most BPF_MAXINSNS (4096) instructions.
    if (!r.u64(count) || count == 0 || count > 4096) return std::nullopt;
    plan.seccomp.instructions.resize(count);
    if (!r.bytes(plan.seccomp.instructions.data(), count * sizeof(sock_filter)) || !r.done()) return std::nullopt;
    return plan;
}

}  // namespace ringfence
