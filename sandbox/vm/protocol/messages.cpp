#include "messages.hpp"

#include "base64.hpp"
#include "codec_internal.hpp"

namespace ringfence::vm {

using codec::dump;

std::string encode_ready(const ReadyInfo& i) {
    return dump({{"agent_version", i.agent_version},
                 {"kernel_release", i.kernel_release},
                 {"boot_id", i.boot_id},
                 {"cmdline", i.cmdline},
                 {"uptime_ms", i.uptime_ms},
                 {"agent_ms", i.agent_ms},
                 {"net_interfaces", i.net_interfaces}});
}

Result<ReadyInfo> decode_ready(std::string_view payload) {
    return codec::decode_with<ReadyInfo>(payload, "ready", [](FieldReader r) {
        ReadyInfo i;
        i.agent_version = r.str("agent_version", 64);
        i.kernel_release = r.str("kernel_release", 256);
        i.boot_id = r.str("boot_id", 64);
        i.cmdline = r.str("cmdline", 4096);
        i.uptime_ms = r.u64("uptime_ms", 1ull << 40);
        i.agent_ms = r.u64("agent_ms", 1ull << 40);
        i.net_interfaces = r.str_list("net_interfaces", 64, 64);
        r.reject_unknown_keys();
        return i;
    });
}

std::string encode_failure(const AgentFailure& f) {
    return dump({{"kind", to_string(f.kind)}, {"message", f.message}});
}

Result<AgentFailure> decode_failure(std::string_view payload) {
    return codec::decode_with<AgentFailure>(payload, "failure", [](FieldReader r) {
        AgentFailure f;
        const std::string kind = r.str("kind", 16);
        if (kind == "input") f.kind = ErrorKind::input;
        else if (kind == "setup") f.kind = ErrorKind::setup;
        else if (kind == "internal") f.kind = ErrorKind::internal;
        else if (r.ok()) r.fail_field("kind", "unknown value '" + kind + "'");
        f.message = r.str("message", 8192);
        r.reject_unknown_keys();
        return f;
    });
}

std::string encode_job(const JobRequest& q) {
    nlohmann::json j{{"kind", q.kind == JobKind::run ? "run" : "judge"},
                     {"entropy", base64_encode(q.entropy)}};
    if (q.kind == JobKind::run) j["run"] = codec::run_request_to_json(q.run);
    else j["judge"] = codec::job_to_json(q.judge);
    return dump(j);
}

Result<JobRequest> decode_job(std::string_view payload) {
    return codec::decode_with<JobRequest>(payload, "job", [](FieldReader r) {
        JobRequest q;
        const std::string kind = r.str("kind", 16);
        q.entropy = r.bytes_b64("entropy", 512);
        if (kind == "run") q.kind = JobKind::run, q.run = codec::read_run_request(r.object("run"));
        else if (kind == "judge") q.kind = JobKind::judge, q.judge = codec::read_job(r.object("judge"));
        else if (r.ok()) r.fail_field("kind", "unknown value '" + kind + "'");
        r.reject_unknown_keys();
        return q;
    });
}

std::string encode_run_result(const RunResult& result) {
    return dump(codec::run_result_to_json(result));
}

Result<RunResult> decode_run_result(std::string_view payload) {
    return codec::decode_with<RunResult>(payload, "result", codec::read_run_result);
}

std::string encode_job_result(const JobResult& result) {
    return dump(codec::job_result_to_json(result));
}

Result<JobResult> decode_job_result(std::string_view payload) {
    return codec::decode_with<JobResult>(payload, "result", codec::read_job_result);
}

}  // namespace ringfence::vm
