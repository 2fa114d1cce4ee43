// The native API under /v1 (jobs in the judge's own schema) and the
// operational endpoints (/healthz, /readyz, /metrics).
#pragma once

#include "api_context.hpp"
#include "http/router.hpp"

namespace ringfence::server {

void add_native_routes(Router& router, ApiContext& ctx);
void add_ops_routes(Router& router, ApiContext& ctx);

// The OpenAPI 3 document of /v1 (api/openapi.cpp).
nlohmann::json native_openapi_document();

}  // namespace ringfence::server
