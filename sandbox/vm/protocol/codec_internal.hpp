// Shared pieces of the message codecs (messages.cpp, codec_run.cpp, codec_judge.cpp).
#pragma once

#include <nlohmann/json.hpp>

#include "messages.hpp"
#include "strict_json.hpp"

namespace ringfence::vm::codec {

nlohmann::json limits_to_json(const Limits& limits);
Limits read_limits(FieldReader reader);

nlohmann::json run_request_to_json(const RunRequest& request);
RunRequest read_run_request(FieldReader reader);

nlohmann::json run_result_to_json(const RunResult& result);
RunResult read_run_result(FieldReader reader);

nlohmann::json job_to_json(const Job& job);
Job read_job(FieldReader reader);

nlohmann::json job_result_to_json(const JobResult& result);
JobResult read_job_result(FieldReader reader);

// Output of the JSON library for our messages: bytes are base64 elsewhere, so
// every string here is text; invalid UTF-8 is replaced rather than thrown on.
std::string dump(const nlohmann::json& value);

// Decodes `payload` as one object, reads it with `read`, and turns the first
// problem found into an error naming the field.
template <class T, class ReadFn>
Result<T> decode_with(std::string_view payload, const char* what, ReadFn read) {
    auto parsed = parse_untrusted_json(payload, what);
    if (!parsed) return std::move(parsed).error();
    ErrorSink sink;
    T value = read(FieldReader(parsed.value(), what, sink));
    if (sink.error) return *sink.error;
    return value;
}

}  // namespace ringfence::vm::codec
