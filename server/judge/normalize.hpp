// Checking a parsed job against the languages this judge has, and filling in
// what the job left to the profile (limits, main file name).
#pragma once

#include <functional>
#include <string>

#include "languages.hpp"

namespace ringfence::judge {

using LanguageLookup = std::function<const Language*(const std::string& id)>;

// Errors are input errors naming the field: an unknown or unavailable
// language, a flag not on the profile's list, a limit above the profile's
// maximum, network where the profile forbids it, "vm" isolation. On success
// every JobLimits field is set and sources[0] is the main file, named as the
// profile's source_file (the source already so named, else the first one).
// Idempotent: a normalized job normalizes to itself.
Result<Job> normalize_job(Job job, const LanguageLookup& find);

// Limits of the helpers, which are the problem author's code: the checker
// gets its language's maximum run limits; the interactor its defaults, with
// its wall limit (and CPU limit) the submission's wall limit plus a margin so
// that in a deadlock the submission's runs out first.
Limits checker_limits(const Language& checker);
Limits interactor_limits(const Language& interactor, const Limits& submission);

}  // namespace ringfence::judge
