#include "store_sqlite.hpp"

#include <sqlite3.h>

#include <chrono>

namespace ringfence::server {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  tenant TEXT NOT NULL,
  api TEXT NOT NULL,
  language TEXT NOT NULL DEFAULT '',
  tier TEXT NOT NULL DEFAULT 'process',
  state TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  started_ms INTEGER NOT NULL DEFAULT 0,
  finished_ms INTEGER NOT NULL DEFAULT 0,
  request TEXT NOT NULL,
  result TEXT NOT NULL DEFAULT '',
  verdict TEXT NOT NULL DEFAULT '',
  callback_url TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs(state, seq);
CREATE INDEX IF NOT EXISTS jobs_by_tenant ON jobs(tenant, api, seq);
CREATE TABLE IF NOT EXISTS callbacks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL,
  tenant TEXT NOT NULL,
  url TEXT NOT NULL,
  method TEXT NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS callbacks_due ON callbacks(state, next_attempt_ms);
)sql";

constexpr const char* kJobColumns =
    "id, tenant, api, language, tier, state, seq, created_ms, started_ms, finished_ms, request, result, verdict, "
    "callback_url, attempts";

// One prepared statement, finalized on every path.
class Statement {
public:
    Statement(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    bool ok() const { return rc_ == SQLITE_OK; }
    Statement& bind(int i, const std::string& v) {
        sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Statement& bind(int i, std::int64_t v) {
        sqlite3_bind_int64(stmt_, i, v);
        return *this;
    }
    int step() { return sqlite3_step(stmt_); }
    std::string text(int col) const {
        auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
    }
    std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }

private:
    sqlite3_stmt* stmt_ = nullptr;
    int rc_ = SQLITE_OK;
};

std::optional<JobState> state_from(const std::string& s) {
    if (s == "queued") return JobState::queued;
    if (s == "running") return JobState::running;
    if (s == "done") return JobState::done;
    if (s == "cancelled") return JobState::cancelled;
    return std::nullopt;
}

JobRecord read_job(const Statement& st) {
    JobRecord r;
    r.id = st.text(0);
    r.tenant = st.text(1);
    r.api = st.text(2);
    r.language = st.text(3);
    r.tier = st.text(4);
    r.state = state_from(st.text(5)).value_or(JobState::queued);
    r.seq = st.integer(6);
    r.created_ms = st.integer(7);
    r.started_ms = st.integer(8);
    r.finished_ms = st.integer(9);
    r.request = st.text(10);
    r.result = st.text(11);
    r.verdict = st.text(12);
    r.callback_url = st.text(13);
    r.attempts = static_cast<int>(st.integer(14));
    return r;
}

}  // namespace

const char* to_string(JobState state) noexcept {
    switch (state) {
        case JobState::queued: return "queued";
        case JobState::running: return "running";
        case JobState::done: return "done";
        case JobState::cancelled: return "cancelled";
    }
    return "queued";
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path, bool synchronous_full) {
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
        sqlite3_close(db);
        return setup_error("job store " + path + ": " + msg);
    }
    std::unique_ptr<SqliteStore> store(new SqliteStore(db));
    sqlite3_busy_timeout(db, 5000);
    for (const char* pragma : {"PRAGMA journal_mode=WAL;", "PRAGMA foreign_keys=ON;"})
        if (auto r = store->exec(pragma); !r) return r.error();
    if (auto r = store->exec(synchronous_full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;"); !r)
        return r.error();
    if (auto r = store->exec(kSchema); !r) return r.error();
    return store;
}

SqliteStore::~SqliteStore() { sqlite3_close(db_); }

Error SqliteStore::db_error(const std::string& what) const {
    return internal_error("job store: " + what + ": " + sqlite3_errmsg(db_));
}

Result<void> SqliteStore::exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        return internal_error(std::string("job store: ") + msg);
    }
    return {};
}

Result<void> SqliteStore::insert(std::vector<JobRecord>& jobs) {
    std::lock_guard lock(mutex_);
    if (auto r = exec("BEGIN IMMEDIATE;"); !r) return r;
    for (auto& job : jobs) {
        Statement st(db_,
                     "INSERT INTO jobs (id, tenant, api, language, tier, state, created_ms, request, callback_url) "
                     "VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?);");
        if (!st.ok()) {
            (void)exec("ROLLBACK;");
            return db_error("prepare insert");
        }
        st.bind(1, job.id).bind(2, job.tenant).bind(3, job.api).bind(4, job.language).bind(5, job.tier);
        st.bind(6, job.created_ms).bind(7, job.request).bind(8, job.callback_url);
        if (st.step() != SQLITE_DONE) {
            auto e = db_error("insert job " + job.id);
            (void)exec("ROLLBACK;");
            return e;
        }
        job.seq = sqlite3_last_insert_rowid(db_);
        job.state = JobState::queued;
    }
    return exec("COMMIT;");
}

Result<std::optional<JobRecord>> SqliteStore::get(const std::string& id) {
    std::lock_guard lock(mutex_);
    Statement st(db_, (std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?;").c_str());
    if (!st.ok()) return db_error("prepare get");
    st.bind(1, id);
    int rc = st.step();
    if (rc == SQLITE_ROW) return std::optional<JobRecord>(read_job(st));
    if (rc == SQLITE_DONE) return std::optional<JobRecord>();
    return db_error("get job");
}

Result<std::vector<JobRecord>> SqliteStore::list(const std::string& tenant, const std::string& api,
                                                 std::uint64_t offset, std::uint64_t limit) {
    std::lock_guard lock(mutex_);
    Statement st(db_, (std::string("SELECT ") + kJobColumns +
                       " FROM jobs WHERE (?1 = '' OR tenant = ?1) AND (?2 = '' OR api = ?2) "
                       "ORDER BY seq DESC LIMIT ?3 OFFSET ?4;")
                          .c_str());
    if (!st.ok()) return db_error("prepare list");
    st.bind(1, tenant).bind(2, api).bind(3, static_cast<std::int64_t>(limit)).bind(4, static_cast<std::int64_t>(offset));
    std::vector<JobRecord> out;
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) out.push_back(read_job(st));
    if (rc != SQLITE_DONE) return db_error("list jobs");
    return out;
}

Result<std::uint64_t> SqliteStore::count(const std::string& tenant, const std::string& api) {
    std::lock_guard lock(mutex_);
    Statement st(db_, "SELECT COUNT(*) FROM jobs WHERE (?1 = '' OR tenant = ?1) AND (?2 = '' OR api = ?2);");
    if (!st.ok()) return db_error("prepare count");
    st.bind(1, tenant).bind(2, api);
    if (st.step() != SQLITE_ROW) return db_error("count jobs");
    return static_cast<std::uint64_t>(st.integer(0));
}

Result<std::vector<QueuedJob>> SqliteStore::recover() {
    std::lock_guard lock(mutex_);
    if (auto r = exec("UPDATE jobs SET state = 'queued' WHERE state = 'running';"); !r) return r.error();
    Statement st(db_, "SELECT id, tenant FROM jobs WHERE state = 'queued' ORDER BY seq;");
    if (!st.ok()) return db_error("prepare recover");
    std::vector<QueuedJob> out;
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) out.push_back({st.text(0), st.text(1)});
    if (rc != SQLITE_DONE) return db_error("recover");
    return out;
}

Result<bool> SqliteStore::mark_running(const std::string& id, std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    Statement st(db_,
                 "UPDATE jobs SET state = 'running', started_ms = ?1, attempts = attempts + 1 "
                 "WHERE id = ?2 AND state = 'queued';");
    if (!st.ok()) return db_error("prepare mark_running");
    st.bind(1, now_ms).bind(2, id);
    if (st.step() != SQLITE_DONE) return db_error("mark running");
    return sqlite3_changes(db_) == 1;
}

Result<bool> SqliteStore::complete(const std::string& id, const std::string& verdict, const std::string& result,
                                   std::int64_t now_ms, const std::optional<PendingCallback>& callback) {
    std::lock_guard lock(mutex_);
    if (auto r = exec("BEGIN IMMEDIATE;"); !r) return r.error();
    Statement st(db_,
                 "UPDATE jobs SET state = 'done', verdict = ?1, result = ?2, finished_ms = ?3 "
                 "WHERE id = ?4 AND state = 'running';");
    if (!st.ok()) {
        (void)exec("ROLLBACK;");
        return db_error("prepare complete");
    }
    st.bind(1, verdict).bind(2, result).bind(3, now_ms).bind(4, id);
    if (st.step() != SQLITE_DONE) {
        auto e = db_error("complete job");
        (void)exec("ROLLBACK;");
        return e;
    }
    bool changed = sqlite3_changes(db_) == 1;
    if (changed && callback) {
        Statement cb(db_,
                     "INSERT INTO callbacks (job_id, tenant, url, method, body, next_attempt_ms) "
                     "VALUES (?, ?, ?, ?, ?, ?);");
        cb.bind(1, callback->job_id).bind(2, callback->tenant).bind(3, callback->url).bind(4, callback->method);
        cb.bind(5, callback->body).bind(6, callback->next_attempt_ms);
        if (!cb.ok() || cb.step() != SQLITE_DONE) {
            auto e = db_error("enqueue callback");
            (void)exec("ROLLBACK;");
            return e;
        }
    }
    if (auto r = exec("COMMIT;"); !r) return r.error();
    return changed;
}

Result<bool> SqliteStore::cancel(const std::string& id, const std::string& result, std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    Statement st(db_,
                 "UPDATE jobs SET state = 'cancelled', verdict = 'cancelled', result = ?1, finished_ms = ?2 "
                 "WHERE id = ?3 AND state IN ('queued', 'running');");
    if (!st.ok()) return db_error("prepare cancel");
    st.bind(1, result).bind(2, now_ms).bind(3, id);
    if (st.step() != SQLITE_DONE) return db_error("cancel job");
    return sqlite3_changes(db_) == 1;
}

Result<bool> SqliteStore::remove(const std::string& id) {
    std::lock_guard lock(mutex_);
    Statement st(db_, "DELETE FROM jobs WHERE id = ?;");
    if (!st.ok()) return db_error("prepare remove");
    st.bind(1, id);
    if (st.step() != SQLITE_DONE) return db_error("remove job");
    return sqlite3_changes(db_) == 1;
}

Result<std::vector<PendingCallback>> SqliteStore::due_callbacks(std::int64_t now_ms, std::size_t limit) {
    std::lock_guard lock(mutex_);
    Statement st(db_,
                 "SELECT id, job_id, tenant, url, method, body, attempts, next_attempt_ms FROM callbacks "
                 "WHERE state = 'pending' AND next_attempt_ms <= ? ORDER BY next_attempt_ms LIMIT ?;");
    if (!st.ok()) return db_error("prepare due_callbacks");
    st.bind(1, now_ms).bind(2, static_cast<std::int64_t>(limit));
    std::vector<PendingCallback> out;
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) {
        PendingCallback c;
        c.id = st.integer(0);
        c.job_id = st.text(1);
        c.tenant = st.text(2);
        c.url = st.text(3);
        c.method = st.text(4);
        c.body = st.text(5);
        c.attempts = static_cast<int>(st.integer(6));
        c.next_attempt_ms = st.integer(7);
        out.push_back(std::move(c));
    }
    if (rc != SQLITE_DONE) return db_error("due callbacks");
    return out;
}

Result<void> SqliteStore::callback_attempted(std::int64_t id, bool delivered, bool give_up,
                                             std::int64_t next_attempt_ms, const std::string& error) {
    std::lock_guard lock(mutex_);
    Statement st(db_,
                 "UPDATE callbacks SET attempts = attempts + 1, state = ?1, next_attempt_ms = ?2, last_error = ?3 "
                 "WHERE id = ?4;");
    if (!st.ok()) return db_error("prepare callback_attempted");
    std::string state = delivered ? "delivered" : give_up ? "failed" : "pending";
    st.bind(1, state).bind(2, next_attempt_ms).bind(3, error).bind(4, id);
    if (st.step() != SQLITE_DONE) return db_error("record callback attempt");
    return {};
}

Result<std::uint64_t> SqliteStore::pending_callback_count() {
    std::lock_guard lock(mutex_);
    Statement st(db_, "SELECT COUNT(*) FROM callbacks WHERE state = 'pending';");
    if (!st.ok() || st.step() != SQLITE_ROW) return db_error("count callbacks");
    return static_cast<std::uint64_t>(st.integer(0));
}

}  // namespace ringfence::server
