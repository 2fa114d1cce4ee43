// The languages a Judge offers: every profiles/languages/*.json, with the
// security profile each step runs under and whether its toolchain is here.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "language_profile.hpp"
#include "ringfence/judge.hpp"

namespace ringfence::judge {

struct Language {
    LanguageProfile profile;
    LanguageInfo info;
    // Base security profile + the language's extra mounts and syscalls.
    std::shared_ptr<const SecurityProfile> run_security;
    std::shared_ptr<const SecurityProfile> compile_security;  // = run_security without compile_sandbox
};

// Expands syscall group names with profiles/seccomp/groups.json. Groups may
// reference other groups as "@name".
Result<std::vector<std::string>> expand_syscall_groups(const std::string& groups_json,
                                                       const std::vector<std::string>& groups);

// The base profile with `needs` added: its mounts (an entry with the same
// target replaces the base's), `group_syscalls` and its extra syscalls.
SecurityProfile merge_security(const SecurityProfile& base, const SandboxNeeds& needs,
                               const std::vector<std::string>& group_syscalls, const std::string& name);

struct LanguageLoadOptions {
    unsigned concurrency = 2;  // version probes in parallel
    std::vector<std::string> only;  // ids to load; empty: all
    std::function<void(const Language&, const Limits&, const RunResult&)> on_probe;
};

// Judge0's well-known name of a language names Judge0's toolchain ("D (DMD
// 2.089.1)"). When the profile uses another one (gdc), ours is named instead
// ("D (GDC 2.089.1)"; the version is replaced by the real one when served).
// A toolchain the profile's name or version command mentions is kept ("C (GCC
// 9.2.0)", "Pascal (FPC 3.0.4)", "Erlang (OTP 22.2)").
std::string judge0_name_for_profile(const std::string& judge0_name, const LanguageProfile& profile);

// Loads every language profile. A profile that does not parse, whose security
// profile is missing, whose required mounts are absent on this host or whose
// version command fails is listed as unavailable with the reason; loading
// itself fails only when the profile store cannot be read at all.
Result<std::vector<std::unique_ptr<Language>>> load_languages(const ProfileStore& store, Launcher& launcher,
                                                              const LanguageLoadOptions& options);

}  // namespace ringfence::judge
