#include "initramfs.hpp"

#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "cpio.hpp"
#include "guest/boot.hpp"
#include "guest/modules.hpp"

namespace ringfence::vm::image {
namespace {

Result<std::string> slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return setup_error("cannot read " + path.string());
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

std::vector<std::string> guest_modules(const std::string& rootfs_type) {
    std::vector<std::string> m = {"virtio_mmio", "virtio_blk", "virtio_console"};
    if (rootfs_type == "squashfs") m.push_back("squashfs");
    return m;
}

Result<void> build_initramfs(const std::filesystem::path& agent_binary, const HostKernel& kernel,
                             const std::vector<std::string>& modules, const std::filesystem::path& out,
                             const std::vector<std::pair<std::string, std::string>>& extra_files) {
    auto dep = slurp(kernel.modules_dir / "modules.dep");
    if (!dep) return std::move(dep).error();
    auto order = guest::module_load_order(dep.value(), modules);
    if (!order) return setup_error("kernel " + kernel.release + ": " + order.error().message);
    auto agent = slurp(agent_binary);
    if (!agent) return std::move(agent).error();

    CpioWriter cpio;
    for (const char* d : {"dev", "proc", "sys", "newroot", "lib", "lib/modules"}) cpio.add_directory(d);
    cpio.add_char_device("dev/console", 5, 1);
    const std::string base = "lib/modules/" + kernel.release;
    cpio.add_directory(base);
    std::set<std::string> dirs;
    const std::set<std::string> included(order->begin(), order->end());
    std::string trimmed_dep;
    std::istringstream lines(dep.value());
    for (std::string line; std::getline(lines, line);)
        if (included.count(line.substr(0, line.find(':')))) trimmed_dep += line + "\n";
    for (const auto& rel : order.value()) {
        // Parent directories first, each once.
        for (auto slash = rel.find('/'); slash != std::string::npos; slash = rel.find('/', slash + 1))
            if (dirs.insert(rel.substr(0, slash)).second) cpio.add_directory(base + "/" + rel.substr(0, slash));
        auto ko = slurp(kernel.modules_dir / rel);
        if (!ko) return std::move(ko).error();
        cpio.add_file(base + "/" + rel, ko.value(), 0644);
    }
    cpio.add_file(base + "/modules.dep", trimmed_dep);
    std::string list;
    for (const auto& m : modules) list += m + "\n";
    cpio.add_file(base + "/" + guest::kModulesList, list);
    cpio.add_file("init", agent.value(), 0755);
    for (const auto& [path, content] : extra_files) cpio.add_file(path, content, 0644);

    const std::string archive = cpio.finish();
    std::ofstream o(out, std::ios::binary | std::ios::trunc);
    o.write(archive.data(), static_cast<std::streamsize>(archive.size()));
    if (!o) return setup_error("cannot write " + out.string());
    return {};
}

}  // namespace ringfence::vm::image
