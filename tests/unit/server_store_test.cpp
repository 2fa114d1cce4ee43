// The SQLite job store (a real database in a temporary directory) and the
// fair order in which queued jobs reach workers.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>

#include "service/crypto.hpp"
#include "service/fair_queue.hpp"
#include "service/store_sqlite.hpp"

using namespace ringfence::server;

namespace {

struct TempDb {
    std::filesystem::path dir = std::filesystem::temp_directory_path() / ("ringfence-store-" + random_uuid_v4());
    TempDb() { std::filesystem::create_directories(dir); }
    ~TempDb() { std::filesystem::remove_all(dir); }
    std::string path() const { return (dir / "jobs.db").string(); }
};

JobRecord job(const std::string& tenant, const std::string& api = "native") {
    JobRecord r;
    r.id = random_uuid_v4();
    r.tenant = tenant;
    r.api = api;
    r.language = "python3";
    r.tier = "process";
    r.created_ms = now_epoch_ms();
    r.request = R"({"language":"python3"})";
    return r;
}

}  // namespace

TEST_CASE("jobs survive reopening; running jobs are re-queued after a crash") {
    TempDb db;
    std::vector<JobRecord> jobs{job("a"), job("a"), job("b")};
    {
        auto store = SqliteStore::open(db.path());
        REQUIRE(store.ok());
        REQUIRE(store.value()->insert(jobs).ok());
        CHECK(jobs[0].seq < jobs[1].seq);
        CHECK(store.value()->mark_running(jobs[0].id, now_epoch_ms()).value());
        CHECK(store.value()->mark_running(jobs[1].id, now_epoch_ms()).value());
        CHECK(store.value()->complete(jobs[1].id, "accepted", "{}", now_epoch_ms(), std::nullopt).value());
        // The store object is dropped without any shutdown step, like a kill -9.
    }
    auto store = SqliteStore::open(db.path());
    REQUIRE(store.ok());
    auto queued = store.value()->recover();
    REQUIRE(queued.ok());
    REQUIRE(queued->size() == 2);
    CHECK(queued.value()[0].id == jobs[0].id);  // arrival order kept
    CHECK(queued.value()[1].id == jobs[2].id);
    auto again = store.value()->get(jobs[0].id).value();
    REQUIRE(again.has_value());
    CHECK(again->state == JobState::queued);
    CHECK(again->attempts == 1);
    CHECK(store.value()->mark_running(jobs[0].id, now_epoch_ms()).value());
    CHECK(store.value()->get(jobs[0].id).value()->attempts == 2);
    auto done = store.value()->get(jobs[1].id).value();
    CHECK(done->state == JobState::done);
    CHECK(done->verdict == "accepted");
}

TEST_CASE("a job completes exactly once, and its callback is stored with it") {
    TempDb db;
    auto store = std::move(SqliteStore::open(db.path()).value());
    std::vector<JobRecord> jobs{job("a")};
    REQUIRE(store->insert(jobs).ok());
    const auto& id = jobs[0].id;
    CHECK_FALSE(store->complete(id, "accepted", "{}", 1, std::nullopt).value());  // not running yet
    CHECK(store->mark_running(id, 1).value());
    CHECK_FALSE(store->mark_running(id, 1).value());  // only from queued
    PendingCallback cb{0, id, "a", "http://example.com/", "POST", "{\"x\":1}", 0, 0};
    CHECK(store->complete(id, "accepted", "{\"r\":1}", 2, cb).value());
    CHECK_FALSE(store->complete(id, "wrong_answer", "{}", 3, cb).value());
    CHECK(store->get(id).value()->result == "{\"r\":1}");
    CHECK(store->pending_callback_count().value() == 1);
    auto due = store->due_callbacks(now_epoch_ms(), 10).value();
    REQUIRE(due.size() == 1);
    CHECK(due[0].body == "{\"x\":1}");
    REQUIRE(store->callback_attempted(due[0].id, false, false, now_epoch_ms() + 60'000, "HTTP 500").ok());
    CHECK(store->due_callbacks(now_epoch_ms(), 10).value().empty());  // backing off
    CHECK(store->pending_callback_count().value() == 1);
    REQUIRE(store->callback_attempted(due[0].id, true, false, 0, "").ok());
    CHECK(store->pending_callback_count().value() == 0);
}

TEST_CASE("cancel, remove, list and count") {
    TempDb db;
    auto store = std::move(SqliteStore::open(db.path()).value());
    std::vector<JobRecord> jobs{job("a", "judge0"), job("a", "judge0"), job("b", "native")};
    REQUIRE(store->insert(jobs).ok());
    CHECK(store->cancel(jobs[0].id, "", 5).value());
    CHECK_FALSE(store->cancel(jobs[0].id, "", 5).value());
    CHECK(store->get(jobs[0].id).value()->state == JobState::cancelled);
    CHECK(store->count("a", "judge0").value() == 2);
    CHECK(store->count("", "").value() == 3);
    auto page = store->list("a", "judge0", 0, 1).value();
    REQUIRE(page.size() == 1);
    CHECK(page[0].id == jobs[1].id);  // newest first
    CHECK(store->remove(jobs[1].id).value());
    CHECK_FALSE(store->get(jobs[1].id).value().has_value());
    CHECK_FALSE(store->remove(jobs[1].id).value());
    CHECK(store->recover().value().size() == 1);
}

TEST_CASE("fair order: a flooding tenant does not starve another (queue rebuilt from the store)") {
    TempDb db;
    auto store = std::move(SqliteStore::open(db.path()).value());
    std::vector<JobRecord> flood, late;
    for (int i = 0; i < 50; ++i) flood.push_back(job("flood"));
    for (int i = 0; i < 5; ++i) late.push_back(job("quiet"));
    REQUIRE(store->insert(flood).ok());
    REQUIRE(store->insert(late).ok());
    FairQueue q;
    auto queued = store->recover().value();
    for (const auto& e : queued) q.push(e.tenant, e.id);
    CHECK(q.size() == 55);
    std::vector<std::string> order;
    auto any = [](const std::string&) { return true; };
    while (auto next = q.pop(any)) order.push_back(next->tenant);
    // The quiet tenant's 5 jobs are served within the first 10, alternating.
    for (int i = 0; i < 10; ++i) CHECK(order[i] == (i % 2 == 0 ? "flood" : "quiet"));
    CHECK(order.size() == 55);
}

TEST_CASE("fair order respects a tenant at its concurrency cap and removal") {
    FairQueue q;
    q.push("a", "a1");
    q.push("a", "a2");
    q.push("b", "b1");
    auto not_a = [](const std::string& t) { return t != "a"; };
    auto first = q.pop(not_a);
    REQUIRE(first);
    CHECK(first->id == "b1");
    CHECK_FALSE(q.pop(not_a).has_value());
    CHECK(q.remove("a1"));
    CHECK_FALSE(q.remove("a1"));
    auto any = [](const std::string&) { return true; };
    CHECK(q.pop(any)->id == "a2");
    CHECK(q.size() == 0);
    CHECK(q.depths().empty());
}
