// `ringfence serve` assembled: store, launcher and judge, scheduler,
// callbacks, the three APIs on one port, signals. Runs until SIGTERM/SIGINT,
// then drains (stops accepting, lets running jobs finish within the grace
// period, leaves queued jobs in the store for the next start).
#pragma once

#include <memory>

#include "ringfence/error.hpp"
#include "service/config.hpp"

namespace ringfence::server {

class Service {
public:
    static Result<std::unique_ptr<Service>> create(ServiceConfig config);
    virtual ~Service() = default;
    // Blocks until a signal has drained the service. Returns the exit status.
    virtual int run() = 0;
};

}  // namespace ringfence::server
