#include "piston_stream.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <spdlog/spdlog.h>

#include "piston_request.hpp"
#include "piston_ws_protocol.hpp"
#include "service/crypto.hpp"
#include "service/tenant_policy.hpp"
#include "unique_fd.hpp"

namespace ringfence::server {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;
using nlohmann::json;

// Stdin the program has not read yet, and output the client has not read yet:
// past either bound the session ends with an error rather than grow.
constexpr std::size_t kMaxPendingStdinBytes = 1u << 20;
constexpr std::size_t kMaxPendingOutputBytes = 4u << 20;

// The job thread's ends of the three pipes, closed when the program is gone
// so that the session reads end-of-file after the last byte.
struct ProgramEnds {
    UniqueFd stdin_read;
    UniqueFd stdout_write;
    UniqueFd stderr_write;
};

std::string refusal_message(DirectRefusal refusal, const TenantConfig& tenant) {
    switch (refusal) {
        case DirectRefusal::draining: return "server is shutting down";
        case DirectRefusal::tenant_concurrency:
            return "tenant \"" + tenant.name + "\" already runs as many jobs as it may at once";
        case DirectRefusal::tenant_quota:
            return "tenant \"" + tenant.name + "\" has " + std::to_string(tenant.max_queued) +
                   " jobs queued or running, its quota";
        case DirectRefusal::queue_full: return "queue is full";
        case DirectRefusal::capacity: return "too many interactive sessions at once on this server";
        case DirectRefusal::none: break;
    }
    return "";
}

class PistonStream : public std::enable_shared_from_this<PistonStream> {
public:
    PistonStream(ApiContext& ctx, const TenantConfig& tenant, Upgrade upgrade)
        : ctx_(ctx),
          tenant_(tenant),
          hold_(std::move(upgrade.hold)),
          strand_(upgrade.stream.get_executor()),
          ws_(std::move(upgrade.stream)),
          init_timer_(strand_) {}

    void start(Request request) {
        beast::get_lowest_layer(ws_).expires_never();  // the websocket's own timers from here on
        websocket::stream_base::timeout timeouts;
        timeouts.handshake_timeout = std::chrono::milliseconds(ctx_.config.http.header_timeout_ms);
        timeouts.idle_timeout = std::chrono::milliseconds(ctx_.config.http.idle_timeout_ms);
        timeouts.keep_alive_pings = true;  // a live client answers pings; a dead one is cut
        ws_.set_option(timeouts);
        ws_.set_option(websocket::stream_base::decorator(
            [](websocket::response_type& r) { r.set(http::field::server, "ringfence"); }));
        ws_.read_message_max(ctx_.config.piston.value("ws_max_message_bytes", std::uint64_t{1} << 20));
        ws_.async_accept(request, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
    }

private:
    enum class State { awaiting_init, running, closing };

    void on_accept(beast::error_code ec) {
        if (ec) return;  // the handshake failed; nothing was started
        init_timer_.expires_after(std::chrono::milliseconds(ctx_.config.piston.value("init_timeout_ms", 1000)));
        init_timer_.async_wait([self = shared_from_this()](beast::error_code e) {
            if (!e && self->state_ == State::awaiting_init) self->close(piston::kInitializationTimeout);
        });
        read();
    }

    void read() {
        ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec) return connection_gone();
        std::string text = beast::buffers_to_string(buffer_.data());
        buffer_.consume(buffer_.size());
        if (state_ != State::closing) handle(text);
        read();  // also while closing: the client's close frame completes the close
    }

    void handle(const std::string& text) {
        piston::ClientMessage m = piston::parse_client_message(text);
        switch (m.kind) {
            case piston::ClientMessage::Kind::malformed: return fail(m.error);
            case piston::ClientMessage::Kind::init:
                if (state_ != State::awaiting_init) return close(piston::kAlreadyInitialized);
                return init(m.body);
            case piston::ClientMessage::Kind::data:
                if (state_ == State::awaiting_init) return close(piston::kNotYetInitialized);
                if (m.stream != "stdin") return close(piston::kCanOnlyWriteToStdin);
                return write_stdin(std::move(m.data));
            case piston::ClientMessage::Kind::signal:
                if (state_ == State::awaiting_init) return close(piston::kNotYetInitialized);
                if (!piston::is_signal_name(m.signal)) return close(piston::kInvalidSignal);
                // The launcher stops a sandbox as a whole: every signal ends the program (SIGKILL).
                if (!job_done_) ctx_.scheduler.cancel(job_id_);
                return;
        }
    }

    void init(const json& body) {
        init_timer_.cancel();
        auto runtimes = piston::runtimes(ctx_.languages.languages());
        auto parsed = piston::validate(body, runtimes, ctx_.config.piston, true);
        if (!parsed.error.empty()) return fail(parsed.error);
        auto job = piston::to_job(parsed.stored);
        if (!job) return fail(job.error().message);
        if (auto denial = check_job_policy(job.value(), tenant_)) return fail(denial->message);
        TierChoice tier = choose_tier(tenant_, "process", ctx_.vm_unavailable);
        if (!tier.error.empty()) return fail(tier.error);
        JobExecutor* executor = ctx_.executors.at(tier.tier);
        if (auto why = executor->stream_unsupported(); !why.empty()) return fail(why);
        job = executor->normalize(std::move(job.value()));
        if (!job) return fail(job.error().message);
        clamp_to_ceilings(job.value(), tenant_);

        auto ends = std::make_shared<ProgramEnds>();
        std::array<int, 2> in{}, out{}, err{};
        if (::pipe2(in.data(), O_CLOEXEC) != 0 || ::pipe2(out.data(), O_CLOEXEC) != 0 ||
            ::pipe2(err.data(), O_CLOEXEC) != 0) {
            for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]})
                if (fd > 0) ::close(fd);
            return fail("internal error: cannot create pipes");
        }
        ends->stdin_read.reset(in[0]);
        ends->stdout_write.reset(out[1]);
        ends->stderr_write.reset(err[1]);
        stdin_.emplace(strand_, in[1]);
        outputs_[0].emplace(strand_, out[0]);
        outputs_[1].emplace(strand_, err[0]);

        DirectJob direct;
        direct.id = random_uuid_v4();
        direct.tenant = tenant_.name;
        direct.language = parsed.runtime->info->id;
        direct.tier = tier.tier;
        direct.work = [self = shared_from_this(), job = std::move(job.value()), ends,
                       executor](const JudgeContext& context) mutable {
            return self->run_job(job, *ends, *executor, context);
        };
        const std::string direct_id = direct.id;
        DirectRefusal refused = ctx_.scheduler.start_direct(std::move(direct));
        if (refused != DirectRefusal::none) {
            ctx_.metrics.rejection(refused == DirectRefusal::capacity ? "streams" : "tenant_queue_quota");
            return fail(refusal_message(refused, tenant_));
        }
        job_id_ = direct_id;
        state_ = State::running;
        send(piston::runtime_message(parsed.runtime->language, parsed.runtime->version));
        for (std::size_t i = 0; i < outputs_.size(); ++i) read_output(i);
    }

    // On the job's thread.
    std::string run_job(const Job& job, ProgramEnds& ends, JobExecutor& executor, const JudgeContext& context) {
        auto self = shared_from_this();
        judge::StreamEvents events;
        events.started = [self](const char* stage) {
            asio::post(self->strand_, [self, s = std::string(stage)] { self->stage_started(s); });
        };
        events.finished = [self](const char* stage, const RunResult& result) {
            asio::post(self->strand_, [self, s = std::string(stage), result] { self->stage_finished(s, result); });
        };
        judge::StreamIo io{ends.stdin_read.get(), ends.stdout_write.get(), ends.stderr_write.get()};
        judge::StreamOutcome outcome = executor.stream(job, io, events, context);
        ends = ProgramEnds{};  // end-of-file for the session's readers
        asio::post(strand_, [self, outcome] { self->job_finished(outcome); });
        return to_string(outcome.verdict);
    }

    void stage_started(const std::string& stage) { send(piston::stage_message(stage)); }

    void stage_finished(const std::string& stage, const RunResult& result) {
        if (stage != "run") {
            // The compiler's output was captured, not streamed: send it before its exit.
            if (!result.stdout_data.empty()) send(piston::data_message("stdout", result.stdout_data));
            if (!result.stderr_data.empty()) send(piston::data_message("stderr", result.stderr_data));
            send(piston::exit_message(stage, result));
            return;
        }
        run_result_ = result;
        close_stdin();
    }

    void job_finished(const judge::StreamOutcome& outcome) {
        job_done_ = true;
        outcome_ = outcome;
        close_stdin();
        finish_if_done();
    }

    // The exit message goes after the program's last output byte.
    void finish_if_done() {
        if (!job_done_ || outputs_open_ > 0 || state_ == State::closing) return;
        if (run_result_) {
            send(piston::exit_message("run", *run_result_));
        } else if (outcome_.verdict == Verdict::internal_error) {
            return fail(outcome_.message);
        }
        close(piston::kJobCompleted);
    }

    void write_stdin(std::string data) {
        if (!stdin_ || data.empty()) return;  // the program is gone: nobody would read it
        if (stdin_pending_ + data.size() > kMaxPendingStdinBytes)
            return fail("stdin: more than " + std::to_string(kMaxPendingStdinBytes) +
                        " bytes are waiting for the program to read them");
        stdin_pending_ += data.size();
        stdin_queue_.push_back(std::move(data));
        pump_stdin();
    }

    void pump_stdin() {
        if (stdin_writing_ || stdin_queue_.empty() || !stdin_) return;
        stdin_writing_ = true;
        asio::async_write(*stdin_, asio::buffer(stdin_queue_.front()),
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              self->stdin_writing_ = false;
                              self->stdin_pending_ -= self->stdin_queue_.front().size();
                              self->stdin_queue_.pop_front();
                              if (ec) return self->close_stdin();  // the program closed its stdin or ended
                              self->pump_stdin();
                          });
    }

    void close_stdin() {
        // A write in flight still uses the front buffer; its handler drops it.
        stdin_queue_.erase(stdin_queue_.begin() + (stdin_writing_ ? 1 : 0), stdin_queue_.end());
        stdin_pending_ = stdin_queue_.empty() ? 0 : stdin_queue_.front().size();
        if (!stdin_) return;
        beast::error_code ignored;
        stdin_->close(ignored);  // a pending write completes with operation_aborted
        stdin_.reset();
    }

    void read_output(std::size_t which) {
        ++outputs_open_;
        outputs_[which]->async_read_some(
            asio::buffer(chunk_[which]), [self = shared_from_this(), which](beast::error_code ec, std::size_t n) {
                self->on_output(which, ec, n);
            });
    }

    void on_output(std::size_t which, beast::error_code ec, std::size_t n) {
        --outputs_open_;
        const char* stream = which == 0 ? "stdout" : "stderr";
        if (ec) {  // end of file: the program (and the launcher's copy of its output) is done
            if (auto rest = chunkers_[which].flush(); !rest.empty()) send(piston::data_message(stream, rest));
            outputs_[which].reset();
            return finish_if_done();
        }
        // Read always, even when nobody listens any more: the launcher copies the
        // program's output into this pipe and must never block on it.
        std::string text = chunkers_[which].feed(std::string_view(chunk_[which].data(), n));
        if (!text.empty()) send(piston::data_message(stream, text));
        if (out_bytes_ > kMaxPendingOutputBytes)
            fail("the client reads the output more slowly than the program writes it (over " +
                 std::to_string(kMaxPendingOutputBytes) + " bytes waiting)");
        read_output(which);
    }

    void send(std::string message) {
        if (state_ == State::closing) return;
        out_bytes_ += message.size();
        out_.push_back(std::move(message));
        if (!writing_) write_next();
    }

    void write_next() {
        writing_ = true;
        ws_.text(true);
        ws_.async_write(asio::buffer(out_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            self->writing_ = false;
            self->out_bytes_ -= self->out_.front().size();
            self->out_.pop_front();
            if (ec) return self->connection_gone();
            if (!self->out_.empty()) return self->write_next();
            if (self->close_code_) self->send_close();
        });
    }

    void fail(const std::string& message) {
        send(piston::error_message(message));
        close(piston::kNotifiedError);
    }

    // Closes after what is already queued; stops the job if it still runs.
    void close(std::uint16_t code) {
        if (state_ == State::closing) return;
        state_ = State::closing;
        close_code_ = code;
        init_timer_.cancel();
        stop_job();
        if (!writing_) send_close();
    }

    void send_close() {
        if (close_sent_ || connection_gone_) return;
        close_sent_ = true;
        ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(*close_code_),
                                                piston::close_reason(*close_code_)),
                        [self = shared_from_this()](beast::error_code) {});
    }

    void connection_gone() {
        connection_gone_ = true;
        state_ = State::closing;
        init_timer_.cancel();
        // A write in flight still uses the front buffer; its handler drops it.
        out_.erase(out_.begin() + (writing_ ? 1 : 0), out_.end());
        out_bytes_ = out_.empty() ? 0 : out_.front().size();
        stop_job();
    }

    void stop_job() {
        if (!job_id_.empty() && !job_done_) ctx_.scheduler.cancel(job_id_);
        close_stdin();  // the program reads end-of-file
    }

    ApiContext& ctx_;
    const TenantConfig& tenant_;
    std::shared_ptr<void> hold_;
    asio::any_io_executor strand_;
    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
    asio::steady_timer init_timer_;
    State state_ = State::awaiting_init;
    std::string job_id_;
    bool job_done_ = false;
    judge::StreamOutcome outcome_;
    std::optional<RunResult> run_result_;

    std::optional<asio::posix::stream_descriptor> stdin_;
    std::deque<std::string> stdin_queue_;
    std::size_t stdin_pending_ = 0;
    bool stdin_writing_ = false;

    std::array<std::optional<asio::posix::stream_descriptor>, 2> outputs_;  // stdout, stderr
    std::array<std::array<char, 16384>, 2> chunk_{};
    std::array<piston::Utf8Chunker, 2> chunkers_;
    int outputs_open_ = 0;  // reads in flight

    std::deque<std::string> out_;
    std::size_t out_bytes_ = 0;
    bool writing_ = false;
    std::optional<std::uint16_t> close_code_;
    bool close_sent_ = false;
    bool connection_gone_ = false;
};

}  // namespace

void start_piston_stream(ApiContext& ctx, const TenantConfig& tenant, Upgrade upgrade, Request request) {
    std::make_shared<PistonStream>(ctx, tenant, std::move(upgrade))->start(std::move(request));
}

}  // namespace ringfence::server
