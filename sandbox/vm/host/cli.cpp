#include "cli.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "tier.hpp"

namespace ringfence::vm {

const char* const kVmOptionsHelp =
    "Micro-VM tier:\n"
    "  --vm                   run in a fresh micro-VM (KVM) instead of the process tier\n"
    "  --vm-allow-tcg         allow software emulation where KVM is unusable: NOT isolated,\n"
    "                         for development and tests only (vm_accel says \"tcg\")\n"
    "  --vm-image-dir DIR     image from `ringfence vm-image build` (default $RINGFENCE_VM_DIR,\n"
    "                         else /var/lib/ringfence/vm)\n"
    "  --vm-memory MIB        minimum guest RAM (default 1280)\n";

int parse_vm_option(VmCliOptions& o, int argc, char** argv, int i, std::string& error) {
    const std::string opt = argv[i];
    if (opt == "--vm") return o.enabled = true, 1;
    if (opt == "--vm-allow-tcg") return o.enabled = true, o.config.allow_tcg = true, 1;
    if (opt != "--vm-image-dir" && opt != "--vm-memory") return 0;
    if (i + 1 >= argc) return error = "option " + opt + " needs a value", -1;
    const char* value = argv[i + 1];
    o.enabled = true;
    if (opt == "--vm-image-dir") {
        o.config.image_dir = value;
    } else {
        char* end = nullptr;
        errno = 0;
        const unsigned long long mib = std::strtoull(value, &end, 10);
        if (errno || !end || *end || mib < 128 || mib > (1u << 20))
            return error = "--vm-memory takes MiB from 128 to 1048576", -1;
        o.config.guest_memory_mib = mib;
    }
    return 2;
}

int run_command_in_vm(const RunSpec& spec, const VmCliOptions& options, const std::string& result_path) {
    if (auto why = vm_unsupported(spec); !why.empty()) {
        std::fprintf(stderr, "ringfence run: %s\n", why.c_str());
        return 2;
    }
    auto tier = VmTier::create(options.config);
    if (!tier) {
        std::fprintf(stderr, "ringfence run: the VM tier cannot run here: %s\n", tier.error().describe().c_str());
        return 3;
    }
    const VmRunResult result = (*tier)->run(spec);
    if (!result_path.empty() && !write_result_json(result_path, to_json(result))) {
        std::fprintf(stderr, "ringfence run: cannot write %s\n", result_path.c_str());
        return 3;
    }
    if (result.result.status == RunStatus::setup_error) {
        std::fprintf(stderr, "ringfence run: the VM could not run the program: %s\n", result.result.error.c_str());
        return 3;
    }
    return 0;
}

int judge_command_in_vm(const Job& job, const VmCliOptions& options) {
    auto tier = VmTier::create(options.config);
    if (!tier) {
        std::fprintf(stderr, "ringfence judge: the VM tier cannot run here: %s\n", tier.error().describe().c_str());
        return 1;
    }
    auto result = (*tier)->judge(job);
    if (!result) {
        std::fprintf(stderr, "ringfence judge: %s\n", result.error().message.c_str());
        return 2;
    }
    std::printf("%s\n", to_json(result.value()).c_str());
    return 0;
}

}  // namespace ringfence::vm
