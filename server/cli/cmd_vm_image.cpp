// `ringfence vm-image build|verify`: makes and checks the micro-VM tier's
// image (guest kernel, initramfs with the agent, root image with the
// language toolchains, SHA-256 manifest).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "host/config.hpp"
#include "host/manifest.hpp"
#include "image/builder.hpp"
#include "image/packages.hpp"
#include "ringfence/profile.hpp"

namespace fs = std::filesystem;

namespace ringfence::cli {
namespace {

constexpr const char* kUsage = R"(usage: ringfence vm-image build [OPTIONS]
       ringfence vm-image verify [--image-dir DIR]

build   makes the micro-VM tier's image from what this host has installed:
        Debian's cloud kernel (linux-image-cloud-amd64), an initramfs with the
        static guest agent and its kernel modules, and a read-only squashfs
        root holding the toolchains of the chosen languages (their Debian
        packages and dependencies, copied from this host). Writes a SHA-256
        manifest that every boot checks. Re-runnable: replaces the old image.
verify  checks an image against its manifest, as every boot does.

Options of build:
  --out DIR              image directory (default $RINGFENCE_VM_DIR, else /var/lib/ringfence/vm)
  --languages ID,ID,...  only these language profiles (e.g. c,cpp17,python3: a small image)
  --packages PKG,...     extra Debian packages for the root image
  --agent PATH           the static guest agent (default: found beside this binary)
  --kernel RELEASE       guest kernel release (default: the newest *-cloud-amd64 installed)
  --profiles-dir DIR     language profiles (default: $RINGFENCE_PROFILES_DIR, else built in)
Without --languages, every language whose packages are all installed goes in.
)";

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');)
        if (!item.empty()) out.push_back(item);
    return out;
}

fs::path find_agent(const std::string& given) {
    if (!given.empty()) return given;
    if (const char* env = std::getenv("RINGFENCE_AGENT"); env && *env) return env;
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec && fs::exists(self.parent_path() / "ringfence-agent")) return self.parent_path() / "ringfence-agent";
    for (const char* candidate : {RINGFENCE_AGENT_BUILD_PATH, RINGFENCE_AGENT_INSTALL_PATH})
        if (fs::exists(candidate)) return candidate;
    return {};
}

// Language id -> its Debian packages, from the language profiles.
std::vector<std::pair<std::string, std::vector<std::string>>> language_packages(const ProfileStore& profiles) {
    std::vector<std::pair<std::string, std::vector<std::string>>> out;
    for (const auto& file : profiles.list("languages")) {
        if (!file.ends_with(".json")) continue;
        auto text = profiles.read_text("languages/" + file);
        if (!text) continue;
        const auto j = nlohmann::json::parse(text.value(), nullptr, false);
        std::vector<std::string> packages;
        if (!j.is_discarded() && j.contains("packages") && j["packages"].is_array())
            for (const auto& p : j["packages"])
                if (p.is_string()) packages.push_back(p.get<std::string>());
        out.emplace_back(file.substr(0, file.size() - 5), std::move(packages));
    }
    return out;
}

int build(int argc, char** argv) {
    vm::image::ImageBuildOptions options;
    vm::VmConfig config;
    std::string languages_arg, packages_arg, agent_arg, profiles_dir;
    bool languages_given = false;
    if (const char* dir = std::getenv("RINGFENCE_PROFILES_DIR")) profiles_dir = dir;
    for (int i = 2; i < argc; ++i) {
        const std::string opt = argv[i];
        if (opt == "--help" || opt == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "ringfence vm-image: %s needs a value\n", opt.c_str());
            return 2;
        }
        const std::string value = argv[++i];
        if (opt == "--out") config.image_dir = value;
        else if (opt == "--languages") languages_arg = value, languages_given = true;
        else if (opt == "--packages") packages_arg = value;
        else if (opt == "--agent") agent_arg = value;
        else if (opt == "--kernel") options.kernel_release = value;
        else if (opt == "--profiles-dir") profiles_dir = value;
        else {
            std::fprintf(stderr, "ringfence vm-image: unknown option %s\n%s", opt.c_str(), kUsage);
            return 2;
        }
    }
    options.out_dir = config.resolved_image_dir();
    options.agent_binary = find_agent(agent_arg);
    options.agent_version = RINGFENCE_VERSION;
    if (options.agent_binary.empty()) {
        std::fprintf(stderr, "ringfence vm-image: the guest agent (ringfence-agent) was not found; give --agent PATH\n");
        return 2;
    }
    auto db = vm::image::PackageDb::load();
    if (!db) {
        std::fprintf(stderr, "ringfence vm-image: %s\n", db.error().describe().c_str());
        return 1;
    }
    const ProfileStore profiles(profiles_dir);
    const auto all = language_packages(profiles);
    const auto wanted = split_list(languages_arg);
    const std::set<std::string> wanted_set(wanted.begin(), wanted.end());
    std::set<std::string> packages;
    for (const auto& w : wanted_set) {
        bool known = false;
        for (const auto& [id, pkgs] : all) known = known || id == w;
        if (!known) {
            std::fprintf(stderr, "ringfence vm-image: --languages: no language profile '%s'\n", w.c_str());
            return 2;
        }
    }
    for (const auto& [id, pkgs] : all) {
        if (languages_given && !wanted_set.count(id)) continue;
        std::string missing;
        for (const auto& p : pkgs)
            if (!db->installed(p)) missing += (missing.empty() ? "" : " ") + p;
        if (!missing.empty()) {
            if (languages_given) {
                std::fprintf(stderr, "ringfence vm-image: language '%s' needs packages not installed here: %s\n",
                             id.c_str(), missing.c_str());
                return 2;
            }
            std::fprintf(stderr, "  skipping %s (not installed: %s)\n", id.c_str(), missing.c_str());
            continue;
        }
        options.languages.push_back(id);
        packages.insert(pkgs.begin(), pkgs.end());
    }
    for (const auto& p : split_list(packages_arg)) packages.insert(p);
    options.packages.assign(packages.begin(), packages.end());
    std::string names;
    for (const auto& l : options.languages) names += (names.empty() ? "" : ", ") + l;
    std::fprintf(stderr, "building the VM image in %s\n  languages: %s\n", options.out_dir.c_str(),
                 names.empty() ? "(none)" : names.c_str());
    auto manifest = vm::image::build_vm_image(options, [](const std::string& line) {
        std::fprintf(stderr, "%s\n", line.c_str());
    });
    if (!manifest) {
        std::fprintf(stderr, "ringfence vm-image: %s\n", manifest.error().describe().c_str());
        return 1;
    }
    std::fprintf(stderr, "done: %s is verified and ready\n", options.out_dir.c_str());
    return 0;
}

int verify(int argc, char** argv) {
    vm::VmConfig config;
    for (int i = 2; i < argc; ++i) {
        const std::string opt = argv[i];
        if (opt == "--image-dir" && i + 1 < argc) config.image_dir = argv[++i];
        else {
            std::fprintf(stderr, "ringfence vm-image verify: unknown option %s\n", opt.c_str());
            return 2;
        }
    }
    const fs::path dir = config.resolved_image_dir();
    auto image = vm::open_verified_image(dir);
    if (!image) {
        std::fprintf(stderr, "ringfence vm-image: %s\n", image.error().describe().c_str());
        return 1;
    }
    std::printf("%s: verified\n%s", dir.c_str(), vm::to_json(image->manifest).c_str());
    return 0;
}

}  // namespace

int cmd_vm_image(int argc, char** argv) {
    const std::string action = argc > 1 ? argv[1] : "";
    if (action == "build") return build(argc, argv);
    if (action == "verify") return verify(argc, argv);
    if (action == "--help" || action == "-h") {
        std::fputs(kUsage, stdout);
        return 0;
    }
    std::fputs(kUsage, stderr);
    return 2;
}

}  // namespace ringfence::cli
