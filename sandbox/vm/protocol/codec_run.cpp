// Codecs for limits, run requests and run results.
#include <limits>

#include "base64.hpp"
#include "codec_internal.hpp"

namespace ringfence::vm::codec {
namespace {

constexpr std::uint64_t kMaxU64 = std::numeric_limits<std::uint64_t>::max();

}  // namespace

std::string dump(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json limits_to_json(const Limits& l) {
    return {{"cpu_time_ms", l.cpu_time_ms},         {"wall_time_ms", l.wall_time_ms},
            {"memory_kib", l.memory_kib},           {"processes", l.processes},
            {"output_bytes", l.output_bytes},       {"file_size_bytes", l.file_size_bytes},
            {"stack_kib", l.stack_kib},             {"open_files", l.open_files},
            {"box_size_kib", l.box_size_kib}};
}

Limits read_limits(FieldReader r) {
    Limits l;
    l.cpu_time_ms = r.u64("cpu_time_ms");
    l.wall_time_ms = r.u64("wall_time_ms");
    l.memory_kib = r.u64("memory_kib");
    l.processes = r.u32("processes");
    l.output_bytes = r.u64("output_bytes");
    l.file_size_bytes = r.u64("file_size_bytes");
    l.stack_kib = r.u64("stack_kib");
    l.open_files = r.u32("open_files");
    l.box_size_kib = r.u64("box_size_kib");
    r.reject_unknown_keys();
    return l;
}

nlohmann::json run_request_to_json(const RunRequest& q) {
    nlohmann::json files = nlohmann::json::array();
    for (const BoxFile& f : q.box_files)
        files.push_back({{"name", f.name},
                         {"data", base64_encode(f.content)},
                         {"executable", f.executable},
                         {"read_only", f.read_only}});
    return {{"argv", q.argv},
            {"env", q.env},
            {"cwd", q.cwd},
            {"limits", limits_to_json(q.limits)},
            {"profile", q.profile},
            {"network", q.network},
            {"stdin", base64_encode(q.stdin_data)},
            {"box_files", std::move(files)},
            {"stream_output", q.stream_output}};
}

RunRequest read_run_request(FieldReader r) {
    RunRequest q;
    q.argv = r.str_list("argv", kMaxArgs, kMaxArgBytes);
    if (r.ok() && q.argv.empty()) r.fail_field("argv", "empty");
    q.env = r.str_list("env", kMaxArgs, kMaxArgBytes);
    q.cwd = r.str("cwd", 4096);
    q.limits = read_limits(r.object("limits"));
    q.profile = r.str("profile", 256);
    q.network = r.boolean("network");
    q.stdin_data = r.bytes_b64("stdin", kMaxDataBytes);
    for (auto& f : r.objects("box_files", kMaxFiles)) {
        BoxFile file;
        file.name = f.str("name", 4096);
        file.content = f.bytes_b64("data", kMaxDataBytes);
        file.executable = f.boolean("executable");
        file.read_only = f.boolean("read_only");
        f.reject_unknown_keys();
        q.box_files.push_back(std::move(file));
    }
    q.stream_output = r.boolean("stream_output");
    r.reject_unknown_keys();
    return q;
}

nlohmann::json run_result_to_json(const RunResult& x) {
    return {{"status", to_string(x.status)},
            {"exit_code", x.exit_code},
            {"signal", x.signal},
            {"signal_name", x.signal_name},
            {"cpu_time_us", x.cpu_time_us},
            {"wall_time_us", x.wall_time_us},
            {"memory_kib", x.memory_kib},
            {"violation", x.violation ? nlohmann::json(*x.violation) : nlohmann::json(nullptr)},
            {"stdout_truncated", x.stdout_truncated},
            {"stderr_truncated", x.stderr_truncated},
            {"stdout_bytes", x.stdout_bytes},
            {"stderr_bytes", x.stderr_bytes},
            {"measured_by", x.measured_by},
            {"stdout", base64_encode(x.stdout_data)},
            {"stderr", base64_encode(x.stderr_data)},
            {"error", x.error},
            {"uid", x.host_uid},
            {"phases_us",
             {{"prepare", x.phases.prepare_us},
              {"start", x.phases.start_us},
              {"run", x.phases.run_us},
              {"teardown", x.phases.teardown_us},
              {"from_pool", x.phases.from_pool}}}};
}

RunResult read_run_result(FieldReader r) {
    RunResult x;
    const std::string status = r.str("status", 64);
    if (r.ok()) {
        if (auto s = run_status_from_string(status)) x.status = *s;
        else r.fail_field("status", "unknown value '" + status + "'");
    }
    x.exit_code = static_cast<int>(r.i64("exit_code", -255, 255));
    x.signal = static_cast<int>(r.i64("signal", 0, 128));
    x.signal_name = r.str("signal_name", 32);
    x.cpu_time_us = r.u64("cpu_time_us", kMaxU64 / 2);
    x.wall_time_us = r.u64("wall_time_us", kMaxU64 / 2);
    x.memory_kib = r.u64("memory_kib", kMaxU64 / 2);
    x.violation = r.opt_str("violation", 64);
    x.stdout_truncated = r.boolean("stdout_truncated");
    x.stderr_truncated = r.boolean("stderr_truncated");
    x.stdout_bytes = r.u64("stdout_bytes", kMaxU64 / 2);
    x.stderr_bytes = r.u64("stderr_bytes", kMaxU64 / 2);
    x.measured_by = r.str("measured_by", 32);
    x.stdout_data = r.bytes_b64("stdout", kMaxDataBytes);
    x.stderr_data = r.bytes_b64("stderr", kMaxDataBytes);
    x.error = r.str("error", kMaxTextField);
    x.host_uid = r.u32("uid");
    auto p = r.object("phases_us");
    x.phases.prepare_us = p.u64("prepare", kMaxU64 / 2);
    x.phases.start_us = p.u64("start", kMaxU64 / 2);
    x.phases.run_us = p.u64("run", kMaxU64 / 2);
    x.phases.teardown_us = p.u64("teardown", kMaxU64 / 2);
    x.phases.from_pool = p.boolean("from_pool");
    p.reject_unknown_keys();
    r.reject_unknown_keys();
    x.tier = "vm";
    return x;
}

}  // namespace ringfence::vm::codec
