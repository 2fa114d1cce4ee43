// The OpenAPI 3 description of the native API. The API tests check that every
// path here answers (not 404) and that every /v1 route is described here.
#include <nlohmann/json.hpp>

#include "routes_native.hpp"

namespace ringfence::server {
namespace {

using nlohmann::json;

json error_response(const std::string& description) {
    return {{"description", description},
            {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
}

json json_response_ref(const std::string& description, const std::string& schema) {
    return {{"description", description},
            {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/" + schema}}}}}}}};
}

json common_errors() {
    return {{"400", error_response("Malformed JSON")},
            {"401", error_response("Missing or unknown API key")},
            {"403", error_response("Not allowed for this tenant (e.g. network)")},
            {"413", error_response("Body larger than http.max_body_bytes")},
            {"422", error_response("Invalid job; the message names the field")},
            {"429", error_response("Rate limit or tenant quota; see Retry-After and X-RateLimit-*")},
            {"503", error_response("Queue full, shutting down, or isolation tier unavailable")}};
}

json id_parameter() {
    return {{"name", "id"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string", }, {"format", "uuid"}}}};
}

}  // namespace

json native_openapi_document() {
    json create_errors = common_errors();
    json run_created = json_response_ref("Accepted and stored; poll GET /v1/runs/{id}", "RunRef");
    json run_ok = json_response_ref("The run (wait=true: once finished)", "Run");
    json create_responses = create_errors;
    create_responses["201"] = run_created;
    create_responses["200"] = run_ok;
    create_responses["202"] = json_response_ref("wait=true gave up after http.max_wait_ms; still running", "Run");

    json batch_responses = common_errors();
    batch_responses["201"] = {{"description", "All jobs accepted (all or nothing)"},
                              {"content",
                               {{"application/json",
                                 {{"schema",
                                   {{"type", "object"},
                                    {"properties",
                                     {{"runs", {{"type", "array"}, {"items", {{"$ref", "#/components/schemas/RunRef"}}}}}}}}}}}}}};

    return {
        {"openapi", "3.0.3"},
        {"info",
         {{"title", "Ringfence native API"},
          {"version", RINGFENCE_VERSION},
          {"description",
           "Compile once, run every test in a fresh sandbox. The job schema is the judge's (server/judge/JOB_SCHEMA.md); "
           "`callback_url` is an envelope field: the finished run is POSTed there, signed in X-Ringfence-Signature "
           "(t=<unix>,sha256=HMAC(secret, \"<t>.<body>\"))."}}},
        {"components",
         {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
          {"schemas",
           {{"Error", {{"type", "object"}, {"properties", {{"error", {{"type", "string"}}}}}, {"required", {"error"}}}},
            {"Job",
             {{"type", "object"},
              {"description", "The native job JSON, plus the optional envelope field callback_url"},
              {"required", {"language"}},
              {"properties",
               {{"language", {{"type", "string"}}},
                {"source", {{"type", "string"}}},
                {"sources", {{"type", "array"}, {"items", {{"type", "object"}}}}},
                {"tests", {{"type", "array"}, {"items", {{"type", "object"}}}}},
                {"callback_url", {{"type", "string"}, {"format", "uri"}}}}}}},
            {"RunRef",
             {{"type", "object"},
              {"properties", {{"id", {{"type", "string"}}}, {"state", {{"type", "string"}}}}},
              {"required", {"id", "state"}}}},
            {"Run",
             {{"type", "object"},
              {"properties",
               {{"id", {{"type", "string"}}},
                {"state", {{"type", "string"}, {"enum", {"queued", "running", "done", "cancelled"}}}},
                {"tenant", {{"type", "string"}}},
                {"language", {{"type", "string"}}},
                {"tier", {{"type", "string"}, {"enum", {"process", "vm"}}}},
                {"verdict", {{"type", "string"}, {"nullable", true}}},
                {"attempts", {{"type", "integer"}}},
                {"created_at", {{"type", "string"}, {"format", "date-time"}}},
                {"started_at", {{"type", "string"}, {"format", "date-time"}, {"nullable", true}}},
                {"finished_at", {{"type", "string"}, {"format", "date-time"}, {"nullable", true}}},
                {"callback_url", {{"type", "string"}, {"nullable", true}}},
                {"result", {{"type", "object"}, {"nullable", true}, {"description", "The judge's result JSON"}}}}}}},
            {"Language", {{"type", "object"}}}}}}},
        {"security", json::array({{{"bearer", json::array()}}})},
        {"paths",
         {{"/v1/runs",
           {{"post",
             {{"summary", "Submit a job"},
              {"parameters",
               json::array({{{"name", "wait"}, {"in", "query"}, {"schema", {{"type", "boolean"}}},
                             {"description", "Answer when the job has finished"}}})},
              {"requestBody",
               {{"required", true}, {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Job"}}}}}}}}},
              {"responses", create_responses}}}}},
          {"/v1/runs/{id}",
           {{"get",
             {{"summary", "A run and its result"},
              {"parameters", json::array({id_parameter()})},
              {"responses", {{"200", run_ok}, {"404", error_response("Unknown id")}}}}},
            {"delete",
             {{"summary", "Cancel: dequeue, or stop the running sandbox"},
              {"parameters", json::array({id_parameter()})},
              {"responses",
               {{"200", run_ok},
                {"404", error_response("Unknown id")},
                {"409", error_response("Already finished")}}}}}}},
          {"/v1/batches",
           {{"post",
             {{"summary", "Submit several jobs at once"},
              {"requestBody",
               {{"required", true},
                {"content",
                 {{"application/json",
                   {{"schema",
                     {{"type", "object"},
                      {"properties",
                       {{"runs", {{"type", "array"}, {"items", {{"$ref", "#/components/schemas/Job"}}}}},
                        {"callback_url", {{"type", "string"}}}}}}}}}}}}},
              {"responses", batch_responses}}}}},
          {"/v1/languages",
           {{"get",
             {{"summary", "Languages with their real toolchain versions"},
              {"responses",
               {{"200",
                 {{"description", "Every language profile"},
                  {"content",
                   {{"application/json",
                     {{"schema", {{"type", "array"}, {"items", {{"$ref", "#/components/schemas/Language"}}}}}}}}}}}}}}}}},
          {"/v1/openapi.json",
           {{"get", {{"summary", "This document"}, {"security", json::array()}, {"responses", {{"200", {{"description", "OpenAPI 3"}}}}}}}}},
          {"/healthz", {{"get", {{"summary", "Liveness"}, {"security", json::array()}, {"responses", {{"200", {{"description", "Alive"}}}}}}}}},
          {"/readyz",
           {{"get",
             {{"summary", "Readiness (not draining, store reachable)"},
              {"security", json::array()},
              {"responses", {{"200", {{"description", "Ready"}}}, {"503", {{"description", "Not ready"}}}}}}}}},
          {"/metrics",
           {{"get",
             {{"summary", "Prometheus metrics"},
              {"security", json::array()},
              {"responses", {{"200", {{"description", "Prometheus text format"}}}}}}}}}}}};
}

}  // namespace ringfence::server
