// Copying compile artifacts out of a directory a hostile program wrote, on a
// real temporary directory: symlinks (Judge0 CVE-2024-28185), FIFOs, huge
// files and deep trees must never be followed, block, or be copied whole.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "artifacts.hpp"
#include "workspace.hpp"

using namespace ringfence;
using namespace ringfence::judge;
namespace fs = std::filesystem;

namespace {

struct Dirs {
    TempDir root;
    fs::path from, to, outside;
    Dirs() {
        auto made = TempDir::create(fs::temp_directory_path(), "rf-artifacts-test-", 0700);
        REQUIRE(made.ok());
        root = std::move(*made);
        from = root.path() / "build";
        to = root.path() / "artifacts";
        outside = root.path() / "secret";
        fs::create_directory(from);
        fs::create_directory(to);
        write(outside, "host secret\n");
    }
    static void write(const fs::path& path, const std::string& text, mode_t mode = 0644) {
        std::ofstream(path) << text;
        ::chmod(path.c_str(), mode);
    }
    static std::string read(const fs::path& path) {
        std::ifstream in(path);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
};

mode_t mode_of(const fs::path& path) {
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("regular files are copied with modes every sandbox uid can use") {
    Dirs d;
    Dirs::write(d.from / "main", "\x7f" "ELF binary", 0700);
    Dirs::write(d.from / "data.txt", "table", 0600);
    auto r = copy_artifacts(d.from, d.to, {"main", "data.txt"}, ArtifactCaps{});
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().describe()));
    CHECK(Dirs::read(d.to / "main") == "\x7f" "ELF binary");
    CHECK(mode_of(d.to / "main") == 0755);
    CHECK(mode_of(d.to / "data.txt") == 0644);
    CHECK(r->entries == 2);
    CHECK(r->bytes == 16);
    auto names = list_top_level(d.to);
    REQUIRE(names.ok());
    CHECK(*names == std::vector<std::string>{"data.txt", "main"});
}

TEST_CASE("a symlink planted as the artifact is refused, never followed") {
    Dirs d;
    fs::create_symlink(d.outside, d.from / "main");
    auto r = copy_artifacts(d.from, d.to, {"main"}, ArtifactCaps{});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::input);  // the submission's doing: compilation error
    CHECK(r.error().message.find("symlink") != std::string::npos);
    CHECK_FALSE(fs::exists(fs::symlink_status(d.to / "main")));
}

TEST_CASE("with a pattern, symlinks and special files are skipped, directories are not followed through links") {
    Dirs d;
    Dirs::write(d.from / "Main.class", "cafebabe");
    Dirs::write(d.from / "Main$1.class", "cafebabe");
    fs::create_symlink(d.outside, d.from / "Leak.class");
    fs::create_directory(d.from / "pkg");
    Dirs::write(d.from / "pkg" / "A.class", "a");
    fs::create_symlink(d.outside, d.from / "pkg" / "B.class");
    fs::create_directory_symlink(d.root.path(), d.from / "root_link");
    REQUIRE(::mkfifo((d.from / "pipe").c_str(), 0644) == 0);
    auto r = copy_artifacts(d.from, d.to, {"*"}, ArtifactCaps{});
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().describe()));
    CHECK(fs::is_regular_file(d.to / "Main.class"));
    CHECK(fs::is_regular_file(d.to / "Main$1.class"));
    CHECK(fs::is_regular_file(d.to / "pkg" / "A.class"));
    CHECK_FALSE(fs::exists(fs::symlink_status(d.to / "Leak.class")));
    CHECK_FALSE(fs::exists(fs::symlink_status(d.to / "pkg" / "B.class")));
    CHECK_FALSE(fs::exists(fs::symlink_status(d.to / "root_link")));
    CHECK_FALSE(fs::exists(fs::symlink_status(d.to / "pipe")));
    CHECK(mode_of(d.to / "pkg") == 0755);
    CHECK(r->skipped.size() == 4);
    // A narrower pattern copies only what matches.
    Dirs e;
    Dirs::write(e.from / "Main.class", "x");
    Dirs::write(e.from / "Main.java", "y");
    REQUIRE(copy_artifacts(e.from, e.to, {"*.class"}, ArtifactCaps{}).ok());
    CHECK(fs::exists(e.to / "Main.class"));
    CHECK_FALSE(fs::exists(e.to / "Main.java"));
}

TEST_CASE("a FIFO in place of the artifact is refused without blocking") {
    Dirs d;
    REQUIRE(::mkfifo((d.from / "main").c_str(), 0644) == 0);
    auto r = copy_artifacts(d.from, d.to, {"main"}, ArtifactCaps{});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("special file") != std::string::npos);
}

TEST_CASE("a symlinked parent directory is not followed") {
    Dirs d;
    fs::create_directory(d.root.path() / "elsewhere");
    Dirs::write(d.root.path() / "elsewhere" / "main", "not from the build");
    fs::create_directory_symlink(d.root.path() / "elsewhere", d.from / "bin");
    auto r = copy_artifacts(d.from, d.to, {"bin/main"}, ArtifactCaps{});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::input);
    CHECK_FALSE(fs::exists(d.to / "bin" / "main"));
}

TEST_CASE("missing artifacts and empty patterns are the compilation's fault") {
    Dirs d;
    auto r = copy_artifacts(d.from, d.to, {"main"}, ArtifactCaps{});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::input);
    CHECK(r.error().message == "compilation did not produce main");
    auto p = copy_artifacts(d.from, d.to, {"*.class"}, ArtifactCaps{});
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().message == "compilation produced nothing matching *.class");
}

TEST_CASE("size, count and depth caps") {
    Dirs d;
    Dirs::write(d.from / "main", std::string(200'000, 'x'));
    ArtifactCaps small;
    small.max_bytes = 100'000;
    auto big = copy_artifacts(d.from, d.to, {"main"}, small);
    REQUIRE_FALSE(big.ok());
    CHECK(big.error().kind == ErrorKind::input);
    CHECK(big.error().message.find("more than") != std::string::npos);

    Dirs many;
    for (int i = 0; i < 20; ++i) Dirs::write(many.from / ("f" + std::to_string(i)), "x");
    ArtifactCaps few;
    few.max_entries = 10;
    CHECK_FALSE(copy_artifacts(many.from, many.to, {"*"}, few).ok());

    Dirs deep;
    fs::path p = deep.from;
    for (int i = 0; i < 20; ++i) p /= "d";
    fs::create_directories(p);
    auto nested = copy_artifacts(deep.from, deep.to, {"*"}, ArtifactCaps{});
    REQUIRE_FALSE(nested.ok());
    CHECK(nested.error().message.find("nested deeper") != std::string::npos);
}

TEST_CASE("job files are written below the directory, parents created") {
    Dirs d;
    auto r = write_files(d.to, {SourceFile{"main.py", "print(1)\n"}, SourceFile{"data/in/x.txt", "x"}}, 0644);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().describe()));
    CHECK(Dirs::read(d.to / "main.py") == "print(1)\n");
    CHECK(Dirs::read(d.to / "data" / "in" / "x.txt") == "x");
    CHECK(mode_of(d.to / "data") == 0755);
    // Writing again replaces the content.
    REQUIRE(write_files(d.to, {SourceFile{"main.py", "print(2)\n"}}, 0644).ok());
    CHECK(Dirs::read(d.to / "main.py") == "print(2)\n");
    // A planted symlink is not written through.
    fs::create_symlink(d.outside, d.to / "evil");
    CHECK_FALSE(write_files(d.to, {SourceFile{"evil", "overwritten"}}, 0644).ok());
    CHECK(Dirs::read(d.outside) == "host secret\n");
}

TEST_CASE("temporary directories are removed however a sandbox left them") {
    fs::path kept;
    {
        auto made = TempDir::create(fs::temp_directory_path(), "rf-remove-test-", 0777);
        REQUIRE(made.ok());
        kept = made->path();
        CHECK(mode_of(kept) == 0777);
        fs::create_directories(kept / "a" / "b");
        Dirs::write(kept / "a" / "b" / "f", "x", 0000);
        fs::create_symlink("/etc", kept / "a" / "etc_link");
        ::chmod((kept / "a" / "b").c_str(), 0500);
        ::chmod((kept / "a").c_str(), 0000);
    }
    CHECK_FALSE(fs::exists(kept));
    CHECK(fs::exists("/etc/passwd"));  // the link was removed, not its target's contents
}

TEST_CASE("a new judge removes what dead judges left, never a live judge's directory") {
    auto root = TempDir::create(fs::temp_directory_path(), "rf-instances-test-", 0711);
    REQUIRE(root.ok());
    auto live = claim_instance_dir(root->path());
    REQUIRE_MESSAGE(live.ok(), (live.ok() ? "" : live.error().describe()));
    fs::create_directories(root->path() / "judge-crashed" / "job-x" / "submission");
    Dirs::write(root->path() / "judge-crashed" / "lock", "");
    fs::create_directories(root->path() / "judge-nolock");
    fs::create_directories(root->path() / "unrelated");
    auto next = claim_instance_dir(root->path());
    REQUIRE(next.ok());
    CHECK(fs::exists(live->dir.path()));
    CHECK(fs::exists(next->dir.path()));
    CHECK_FALSE(fs::exists(root->path() / "judge-crashed"));
    CHECK_FALSE(fs::exists(root->path() / "judge-nolock"));
    CHECK(fs::exists(root->path() / "unrelated"));
    fs::path gone = live->dir.path();
    live = Result<InstanceDir>(internal_error("released"));  // the live judge ends
    CHECK_FALSE(fs::exists(gone));
}

TEST_CASE("small artifacts become read-only box files; anything else is left to binds") {
    Dirs d;
    Dirs::write(d.to / "main", "\x7f" "ELF binary", 0755);
    Dirs::write(d.to / "data.txt", "table\n", 0644);
    auto small = read_small_artifacts(d.to, SmallArtifactCaps{});
    REQUIRE(small.ok());
    REQUIRE(small->has_value());
    const auto& files = **small;
    REQUIRE(files.size() == 2);
    CHECK(files[0] == BoxFile{"data.txt", "table\n", false, true});
    CHECK(files[1] == BoxFile{"main", "\x7f" "ELF binary", true, true});

    SmallArtifactCaps tight;
    tight.max_bytes = 10;
    CHECK_FALSE(read_small_artifacts(d.to, tight)->has_value());
    tight = SmallArtifactCaps{};
    tight.max_files = 1;
    CHECK_FALSE(read_small_artifacts(d.to, tight)->has_value());

    fs::create_directory(d.to / "classes");
    CHECK_FALSE(read_small_artifacts(d.to, SmallArtifactCaps{})->has_value());
    fs::remove(d.to / "classes");
    fs::create_symlink(d.outside, d.to / "link");
    CHECK_FALSE(read_small_artifacts(d.to, SmallArtifactCaps{})->has_value());
}
