// Judge0 CE 1.13.1 at the root: submissions (single, batch, list, delete),
// languages, statuses, about, config_info, workers, system_info.
#pragma once

#include "api_context.hpp"
#include "http/router.hpp"

namespace ringfence::server {

void add_judge0_routes(Router& router, ApiContext& ctx);       // routes_judge0.cpp
void add_judge0_info_routes(Router& router, ApiContext& ctx);  // judge0_info.cpp

}  // namespace ringfence::server
