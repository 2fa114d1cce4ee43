// The `--vm` half of `ringfence run` and `ringfence judge`: the options they
// share and what each does once its RunSpec or Job is parsed. The process
// tier's commands call into here, so both tiers keep one option parser each
// and the same result JSON.
#pragma once

#include <string>

#include "config.hpp"
#include "ringfence/job.hpp"
#include "ringfence/run_spec.hpp"

namespace ringfence::vm {

struct VmCliOptions {
    bool enabled = false;  // --vm
    VmConfig config;
};

// Options (all imply --vm):
//   --vm                  run in a micro-VM
//   --vm-allow-tcg        permit software emulation when KVM is unusable (not isolated)
//   --vm-image-dir DIR    image made by `ringfence vm-image build`
//   --vm-memory MIB       minimum guest RAM
// Returns how many argv entries were consumed at argv[i] (0: not a VM
// option); -1 with `error` set for a missing or bad value.
int parse_vm_option(VmCliOptions& options, int argc, char** argv, int i, std::string& error);

extern const char* const kVmOptionsHelp;

// Runs the spec in a VM and reports as `ringfence run` does: output passed
// through, the result JSON to `result_path` ("-": stdout, "": none). Returns
// the exit status: 0 ran, 2 bad options for the VM tier, 3 the VM could not run it.
int run_command_in_vm(const RunSpec& spec, const VmCliOptions& options, const std::string& result_path);

// Judges the job in a VM and prints the result JSON. Returns 0 judged, 1 the
// VM tier could not be set up, 2 the job was refused.
int judge_command_in_vm(const Job& job, const VmCliOptions& options);

}  // namespace ringfence::vm
