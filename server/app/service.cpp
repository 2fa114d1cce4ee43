#include "service.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <csignal>
#include <boost/asio/signal_set.hpp>
#include <filesystem>
#include <fstream>
#include <spdlog/spdlog.h>
#include <thread>

#include "api/api_context.hpp"
#include "api/judge0_codec.hpp"
#include "api/native_codec.hpp"
#include "api/piston_codec.hpp"
#include "api/routes_judge0.hpp"
#include "api/routes_native.hpp"
#include "api/routes_piston.hpp"
#include "http/http_listener.hpp"
#include "service/access_log.hpp"
#include "service/audit_log.hpp"
#include "service/callback_sender.hpp"
#include "service/crypto.hpp"
#include "service/scheduler.hpp"
#include "service/store_sqlite.hpp"
#include "service/vm_executor.hpp"

namespace ringfence::server {
namespace {

namespace fs = std::filesystem;

Result<std::string> load_or_create_secret(const std::string& path) {
    std::ifstream in(path);
    std::string secret;
    if (in && std::getline(in, secret) && secret.size() >= 32) return secret;
    secret = sha256_hex(random_uuid_v4() + random_uuid_v4());
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return setup_error("cannot write " + path, errno);
    std::string line = secret + "\n";
    bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::close(fd);
    if (!ok) return setup_error("cannot write " + path, errno);
    return secret;
}

class ServiceImpl final : public Service {
public:
    explicit ServiceImpl(ServiceConfig config) : config_(std::move(config)) {}

    Result<void> build() {
        // Writes to a pipe whose reader is gone (a streamed program's stdin, a
        // launcher copying output) must fail with EPIPE, not end the service.
        std::signal(SIGPIPE, SIG_IGN);
        std::error_code ec;
        for (const auto& dir : {config_.data_dir, config_.log_dir}) {
            fs::create_directories(dir, ec);
            if (ec) return setup_error("cannot create " + dir + ": " + ec.message());
        }
        ::chmod(config_.data_dir.c_str(), 0700);
        default_secret_ = config_.callbacks.secret;
        if (default_secret_.empty()) {
            auto s = load_or_create_secret(config_.data_dir + "/callback_secret");
            if (!s) return s.error();
            default_secret_ = s.value();
        }
        auto store = SqliteStore::open(config_.data_dir + "/jobs.db", config_.store_synchronous == "full");
        if (!store) return store.error();
        store_ = std::move(store.value());

        LauncherConfig lc;
        lc.runtime_dir = config_.launcher_runtime_dir;
        lc.allow_rlimit_only = config_.launcher_allow_rlimit_only;
        lc.pool_size = config_.launcher_pool_size;
        lc.pool_max = config_.launcher_pool_max;
        auto launcher = Launcher::create(lc);
        if (!launcher) return launcher.error();
        profiles_ = std::make_unique<ProfileStore>(config_.profiles_dir);
        JudgeConfig jc;
        jc.test_concurrency = config_.judge_test_concurrency;
        auto judge = Judge::create(jc, *launcher.value(), *profiles_);
        if (!judge) return judge.error();
        process_ = std::make_unique<ProcessExecutor>(std::move(launcher.value()), std::move(judge.value()));
        executors_ = {{"process", process_.get()}};
        if (auto r = start_vm_tier(); !r) return r;

        tenants_ = std::make_unique<TenantRegistry>(config_);
        audit_ = std::make_unique<AuditLog>(config_.log_dir + "/audit.log");
        access_ = std::make_unique<AccessLog>(config_.log_dir + "/access.log");
        callbacks_ = std::make_unique<CallbackSender>(*store_, config_.callbacks, metrics_, [this](const std::string& t) {
            const TenantConfig* tenant = config_.find_tenant(t);
            return tenant && !tenant->callback_secret.empty() ? tenant->callback_secret : default_secret_;
        });
        SchedulerDeps deps{*store_, *tenants_, metrics_, *audit_, executors_,
                           {{"native", &native_}, {"judge0", &judge0_}, {"piston", &piston_}},
                           config_.workers, [this] { callbacks_->wake(); },
                           config_.piston.value("max_streams", 64u)};
        scheduler_ = std::make_unique<Scheduler>(std::move(deps));
        ioc_ = std::make_unique<boost::asio::io_context>(static_cast<int>(config_.io_threads));
        api_ = std::make_unique<ApiContext>(ApiContext{config_, *store_, *tenants_, *scheduler_, metrics_, *process_,
                                                       executors_, *ioc_, draining_, vm_unavailable_});
        add_ops_routes(router_, *api_);
        add_native_routes(router_, *api_);
        add_judge0_routes(router_, *api_);
        add_judge0_info_routes(router_, *api_);
        add_piston_routes(router_, *api_);
        SessionEnv env{router_, config_.http, *access_, metrics_, open_connections_};
        listener_ = std::make_shared<HttpListener>(*ioc_, env);
        auto address = parse_listen_address(config_.listen);
        if (!address) return address.error();
        if (auto r = listener_->listen(address->first, address->second); !r) return r;
        if (auto r = scheduler_->start(); !r) return r;
        callbacks_->start();
        return {};
    }

    // A configuration error stops the start; a tier that cannot run here (no
    // KVM and vm.allow_tcg false) leaves the service up, refusing VM jobs with the reason.
    Result<void> start_vm_tier() {
        vm_unavailable_ = "the VM tier is disabled (vm.enabled is false)";
        if (!config_.vm_enabled) return {};
        auto vm_config = vm::parse_vm_config(config_.vm);
        if (!vm_config) return vm_config.error();
        auto log = [](const std::string& line) { spdlog::info("vm: {}", line); };
        auto vm = VmExecutor::create(std::move(vm_config.value()), *process_, log);
        if (!vm) {
            vm_unavailable_ = "the VM tier did not start: " + vm.error().describe();
            spdlog::error("{}; jobs for the VM tier are refused", vm_unavailable_);
            return {};
        }
        vm_ = std::move(vm.value());
        executors_["vm"] = vm_.get();
        vm_unavailable_.clear();
        spdlog::info("VM tier ready (accelerator {}, {} language(s) in the image)", vm_->accel(),
                     vm_->languages().size());
        return {};
    }

    int run() override {
        boost::asio::signal_set signals(*ioc_, SIGTERM, SIGINT);
        std::thread drainer;
        signals.async_wait([this, &drainer](boost::system::error_code ec, int sig) {
            if (ec) return;
            spdlog::info("signal {}: draining (grace {} ms)", sig, config_.drain_grace_ms);
            draining_ = true;
            listener_->stop();
            drainer = std::thread([this] {
                scheduler_->drain(std::chrono::milliseconds(config_.drain_grace_ms));
                callbacks_->stop();
                access_->flush();
                audit_->flush();
                ioc_->stop();
            });
        });
        listener_->start();
        spdlog::info("ringfence {} serving on {} (workers {}, data {}, measured by {})", RINGFENCE_VERSION,
                     config_.listen, config_.workers, config_.data_dir, process_->launcher().measurement());
        std::vector<std::thread> threads;
        for (unsigned i = 1; i < config_.io_threads; ++i) threads.emplace_back([this] { ioc_->run(); });
        ioc_->run();
        for (auto& t : threads) t.join();
        if (drainer.joinable()) drainer.join();
        spdlog::info("stopped");
        return 0;
    }

private:
    ServiceConfig config_;
    std::string default_secret_;
    std::unique_ptr<SqliteStore> store_;
    std::unique_ptr<ProfileStore> profiles_;
    std::unique_ptr<ProcessExecutor> process_;
    std::unique_ptr<VmExecutor> vm_;
    std::string vm_unavailable_;
    std::map<std::string, JobExecutor*> executors_;
    std::unique_ptr<TenantRegistry> tenants_;
    Metrics metrics_;
    std::unique_ptr<AuditLog> audit_;
    std::unique_ptr<AccessLog> access_;
    NativeCodec native_;
    Judge0Codec judge0_;
    PistonCodec piston_;
    std::unique_ptr<CallbackSender> callbacks_;
    std::unique_ptr<Scheduler> scheduler_;
    std::unique_ptr<boost::asio::io_context> ioc_;
    std::atomic<bool> draining_{false};
    std::unique_ptr<ApiContext> api_;
    Router router_;
    std::atomic<unsigned> open_connections_{0};
    std::shared_ptr<HttpListener> listener_;
};

}  // namespace

Result<std::unique_ptr<Service>> Service::create(ServiceConfig config) {
    if (auto r = check_exposure(config); !r) return r.error();
    auto service = std::make_unique<ServiceImpl>(std::move(config));
    if (auto r = service->build(); !r) return r.error();
    return std::unique_ptr<Service>(std::move(service));
}

}  // namespace ringfence::server
