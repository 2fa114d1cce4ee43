// libFuzzer: Judge0 submissions: the JSON body (plain and base64), the
// `fields` parameter, base64 decoding, and rendering what was accepted.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/judge0_submission.hpp"
#include "service/base64.hpp"
#include "fuzz_languages.hpp"
#include "service/config.hpp"

using namespace ringfence;
using namespace ringfence::server;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    static const nlohmann::json settings = default_config_document()["judge0"];
    const auto& languages = fuzz_languages();
    TenantConfig tenant;
    tenant.name = "fuzz";
    (void)judge0::parse_fields(text);
    // The shared decoder under each caller's rules: what it accepts re-encodes to text it reads back the same.
    for (const Base64Rules& rules : {kBase64Strict, kBase64Tolerant, kBase64Lenient})
        if (auto bytes = base64_decode(text, rules); bytes && base64_decode(base64_encode(*bytes)) != bytes)
            __builtin_trap();
    (void)is_valid_utf8(text);
    auto body = nlohmann::json::parse(text, nullptr, false);
    if (body.is_discarded()) return 0;
    for (bool b64 : {false, true}) {
        auto v = judge0::validate(body, b64, settings, languages, tenant, size % 2 == 0);
        if (!v.ok()) continue;
        auto job = judge0::to_job(v.stored);
        JobRecord rec;
        rec.id = "x";
        rec.request = v.stored.dump();
        rec.state = JobState::done;
        rec.result = R"({"status_id":3,"stdout":"aGk=","time":"0.1","memory":1})";
        (void)judge0::render(rec, judge0::all_fields(), b64, languages);
    }
    return 0;
}
