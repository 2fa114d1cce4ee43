// Language profiles (profiles/languages/ID.json, format in profiles/README.md)
// as the judge reads them: parsing with path-named errors, command placeholders,
// toolchain versions, syscall groups and the merged security profile.
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "language_profile.hpp"
#include "languages.hpp"
#include "seccomp_policy.hpp"

using namespace ringfence;
using namespace ringfence::judge;
using nlohmann::json;

namespace {

json cpp_profile() {
    return json::parse(R"json({
      "id": "cpp17", "name": "C++ (GCC, C++17)",
      "version_command": ["g++", "--version"], "version_regex": "([0-9]+\\.[0-9]+(\\.[0-9]+)?)",
      "packages": ["g++"], "core": true, "source_file": "main.cpp",
      "compile": ["g++", "-std=c++17", "{flags}", "-o", "main", "main.cpp"],
      "default_flags": ["-O2", "-pipe"], "allowed_flags": ["-O0", "-O2", "-g"],
      "run": ["./main"], "artifacts": ["main"],
      "env": {"PATH": "/usr/bin:/bin"},
      "sandbox": {"profile": "default", "extra_mounts": [], "extra_syscall_groups": [], "extra_syscalls": []},
      "memory": "cgroup",
      "limits": {
        "compile": {"default": {"cpu_time_ms": 10000, "wall_time_ms": 20000, "memory_kib": 1048576, "processes": 64},
                    "max": {"cpu_time_ms": 30000, "wall_time_ms": 60000, "memory_kib": 2097152, "processes": 128}},
        "run": {"default": {"cpu_time_ms": 2000, "wall_time_ms": 5000, "memory_kib": 262144, "processes": 1},
                "max": {"cpu_time_ms": 20000, "wall_time_ms": 40000, "memory_kib": 1048576, "processes": 64}}},
      "judge0": [{"id": 54, "name": "C++ (GCC 9.2.0)"}],
      "piston": {"language": "c++", "aliases": ["cpp", "g++"]},
      "smoke": {"source": "smoke/cpp17.cpp", "stdin": "hello\n", "expected_stdout": "hello\n"}
    })json");
}

std::string profile_refusal(const json& document, const std::string& id = "cpp17") {
    auto r = parse_language_profile(document.dump(), id);
    REQUIRE_FALSE(r.ok());
    return r.error().message;
}

}  // namespace

TEST_CASE("the README's example language profile parses") {
    auto r = parse_language_profile(cpp_profile().dump(), "cpp17");
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    const auto& p = *r;
    CHECK(p.id == "cpp17");
    REQUIRE(p.compile.has_value());
    CHECK(p.compile->at(2) == "{flags}");
    CHECK(p.run_limits.defaults.cpu_time_ms == 2000u);
    CHECK(p.run_limits.max.memory_kib == 1048576u);
    CHECK(p.run_limits.defaults.output_bytes == Limits{}.output_bytes);  // unset: launcher default
    CHECK(p.run_limits.max.output_bytes == Limits{}.output_bytes);       // unset max = default
    CHECK(p.judge0.at(0).first == 54);
    CHECK(p.piston_aliases.size() == 2);
    CHECK(p.env.at(0).first == "PATH");
    REQUIRE(p.smoke.has_value());
    CHECK(p.smoke->expected_stdout == "hello\n");
}

TEST_CASE("bad language profiles name the field") {
    json p = cpp_profile();
    CHECK(profile_refusal(p, "c").find("languages/c.json: id: \"cpp17\" differs from the file name") == 0);
    p = cpp_profile(); p["run"] = json::array();
    CHECK(profile_refusal(p).find("languages/cpp17.json: run: required") == 0);
    p = cpp_profile(); p.erase("artifacts");
    CHECK(profile_refusal(p).find("artifacts: required for a compiled language") != std::string::npos);
    p = cpp_profile(); p["limits"]["run"]["default"]["memory_kib"] = 4194304;
    CHECK(profile_refusal(p).find("limits.run.default.memory_kib: is above the maximum") != std::string::npos);
    p = cpp_profile(); p["limits"]["run"]["max"]["cpu_time"] = 5;
    CHECK(profile_refusal(p).find("limits.run.max.cpu_time: unknown field") != std::string::npos);
    p = cpp_profile(); p["memory"] = "rlimit";
    CHECK(profile_refusal(p).find("memory: only \"cgroup\"") != std::string::npos);
    p = cpp_profile(); p["version_regex"] = "[0-9";
    CHECK(profile_refusal(p).find("version_regex: not a valid regular expression") != std::string::npos);
    p = cpp_profile(); p["version_regex"] = "[0-9]+";
    CHECK(profile_refusal(p).find("version_regex: needs a capture group") != std::string::npos);
    p = cpp_profile(); p["sandbox"]["extra_mounts"] = {{{"source", "relative"}}};
    CHECK(profile_refusal(p).find("sandbox.extra_mounts[0].source: required: an absolute host path") != std::string::npos);
    p = cpp_profile(); p["source_file"] = "../main.cpp";
    CHECK(profile_refusal(p).find("source_file: must not contain") != std::string::npos);
    p = cpp_profile(); p["id"] = "C++";
    CHECK(profile_refusal(p, "C++").find("id: may hold only") != std::string::npos);
    p = cpp_profile(); p["compile_sandbox"] = {{"profile", "compile"}, {"extra_mount", {}}};
    CHECK(profile_refusal(p).find("compile_sandbox.extra_mount: unknown field (did you mean \"extra_mounts\"?)") !=
          std::string::npos);
    p = cpp_profile(); p["_comment"] = "comments are allowed";
    CHECK(parse_language_profile(p.dump(), "cpp17").ok());
}

TEST_CASE("an interpreted profile and placeholder expansion") {
    json p = cpp_profile();
    p["compile"] = nullptr;
    p.erase("artifacts");
    p["run"] = {"java", "-Xmx{memory_mib}m", "-Dmem={memory_kib}", "Main"};
    auto r = parse_language_profile(p.dump(), "cpp17");
    REQUIRE(r.ok());
    CHECK_FALSE(r->compile.has_value());
    CHECK(expand_command(r->run, {}, 262144) ==
          std::vector<std::string>{"java", "-Xmx256m", "-Dmem=262144", "Main"});
    CHECK(expand_command({"g++", "{flags}", "-o", "main"}, {"-O2", "-g"}, 1024) ==
          std::vector<std::string>{"g++", "-O2", "-g", "-o", "main"});
    CHECK(expand_command({"g++", "{flags}", "x"}, {}, 1024) == std::vector<std::string>{"g++", "x"});
}

TEST_CASE("versions are read from the toolchain's output") {
    CHECK(extract_version("g++ (Debian 12.2.0-14) 12.2.0\nCopyright", "([0-9]+\\.[0-9]+(\\.[0-9]+)?)") == "12.2.0");
    CHECK(extract_version("Python 3.11.2\n", "Python ([0-9.]+)") == "3.11.2");
    CHECK(extract_version("\n  some tool, no digits \n", "([0-9]+\\.[0-9]+)") == "some tool, no digits");
    CHECK(extract_version("", "([0-9]+)").empty());
    CHECK(extract_version(std::string(500, 'v'), "([0-9]+)").size() == 100);
}

TEST_CASE("syscall groups expand, nested, without repeats") {
    std::string groups = R"({"groups": {"threads": ["clone", "futex", "set_robust_list"],
                                        "jvm": ["@threads", "sched_getaffinity", "futex"],
                                        "bad": 5}})";
    auto r = expand_syscall_groups(groups, {"jvm"});
    REQUIRE(r.ok());
    CHECK(*r == std::vector<std::string>{"clone", "futex", "set_robust_list", "sched_getaffinity"});
    CHECK(expand_syscall_groups(R"({"net": ["socket"]})", {"@net"}).value() == std::vector<std::string>{"socket"});
    CHECK_FALSE(expand_syscall_groups(groups, {"nope"}).ok());
    CHECK_FALSE(expand_syscall_groups(groups, {"bad"}).ok());
    CHECK_FALSE(expand_syscall_groups("not json", {"jvm"}).ok());
}

TEST_CASE("a language's extras are merged into its base security profile") {
    SecurityProfile base;
    base.name = "default";
    base.mounts = {MountEntry{"/usr", "/usr", false}, MountEntry{"/etc/alternatives", "/etc/alternatives", true}};
    base.syscalls = {"read", "write"};
    SandboxNeeds needs;
    needs.extra_mounts = {MountEntry{"/usr/lib/jvm", "/usr/lib/jvm", false},
                          MountEntry{"/etc/alt", "/etc/alternatives", false}};
    needs.extra_syscalls = {"futex", "read"};
    auto merged = merge_security(base, needs, {"write"}, "default+java-run");
    CHECK(opens_only_unix_sockets(merged.syscalls));
    needs.extra_syscalls.push_back("socket:inet");
    CHECK_FALSE(opens_only_unix_sockets(merge_security(base, needs, {"write"}, "default+java-run").syscalls));
    needs.extra_syscalls.pop_back();
    CHECK(merged.name == "default+java-run");
    REQUIRE(merged.mounts.size() == 3);
    CHECK(merged.mounts[1].source == "/etc/alt");  // same target: the language's entry wins
    CHECK_FALSE(merged.mounts[1].optional);
    CHECK(merged.syscalls == std::vector<std::string>{"read", "write", "futex"});
}

TEST_CASE("every language profile shipped in the binary parses and names real security profiles") {
    ProfileStore store;  // the embedded copies of profiles/
    auto groups = store.read_text("seccomp/groups.json");
    REQUIRE(groups.ok());
    std::size_t count = 0;
    for (const auto& file : store.list("languages")) {
        if (file.size() < 6 || file.substr(file.size() - 5) != ".json") continue;
        const std::string id = file.substr(0, file.size() - 5);
        INFO("languages/" << file);
        auto text = store.read_text("languages/" + file);
        REQUIRE(text.ok());
        auto profile = parse_language_profile(*text, id);
        REQUIRE_MESSAGE(profile.ok(), (profile.ok() ? "" : profile.error().message));
        ++count;
        std::vector<const SandboxNeeds*> steps = {&profile->sandbox};
        if (profile->compile_sandbox) steps.push_back(&*profile->compile_sandbox);
        for (const SandboxNeeds* needs : steps) {
            auto base = store.security(needs->profile);
            CHECK_MESSAGE(base.ok(), (base.ok() ? "" : base.error().describe()));
            auto expanded = expand_syscall_groups(*groups, needs->extra_syscall_groups);
            CHECK_MESSAGE(expanded.ok(), (expanded.ok() ? "" : expanded.error().message));
            if (!base.ok() || !expanded.ok()) continue;
            // A sandbox may get a network namespace an earlier one used only
            // when it can open no socket but AF_UNIX (netns_lender.hpp): the
            // language's extras count, not only its base profile's.
            const auto merged = merge_security(**base, *needs, *expanded, id);
            const bool asks_for_inet =
                std::any_of(needs->extra_syscalls.begin(), needs->extra_syscalls.end(),
                            [](const std::string& s) { return s.rfind("socket:", 0) == 0 && s != "socket:unix"; });
            const bool base_unix_only = opens_only_unix_sockets((*base)->syscalls);
            CHECK(opens_only_unix_sockets(merged.syscalls) == (base_unix_only && !asks_for_inet));
        }
        CHECK_FALSE(profile->run.empty());
        if (profile->smoke) CHECK(store.read_text(profile->smoke->source).ok());
    }
    MESSAGE(count << " language profiles checked");
}
