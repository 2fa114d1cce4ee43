#include "stream_program.hpp"

namespace ringfence::judge {
namespace {

StreamOutcome outcome_of(const RunVerdict& verdict) {
    StreamOutcome out;
    out.verdict = verdict.verdict;
    out.message = verdict.message;
    return out;
}

}  // namespace

StreamOutcome stream_program(const StreamPlan& plan, const StreamIo& io, const StreamEvents& events) {
    const Job& job = *plan.job;
    auto notify_started = [&](const char* stage) {
        if (events.started) events.started(stage);
    };
    auto notify_finished = [&](const char* stage, const RunResult& result) {
        if (events.finished) events.finished(stage, result);
    };
    if (plan.compiled) notify_started("compile");
    PrepareOutcome prepared = plan.prepare();
    if (prepared.compile) notify_finished("compile", *prepared.compile);
    if (prepared.verdict.verdict != Verdict::accepted) return outcome_of(prepared.verdict);
    if (plan.cancel && plan.cancel->cancelled()) return StreamOutcome{Verdict::internal_error, "The job was cancelled"};

    const PreparedProgram& program = prepared.program;
    RunSpec spec;
    spec.argv = run_argv(*program.language, to_limits(job.run_limits).memory_kib, job.args);
    spec.env = program.env;
    spec.limits = to_limits(job.run_limits);
    spec.profile = program.language->run_security;
    add_artifacts(program, spec);
    spec.network = job.network;
    spec.stdin_source = InputSource::from_fd(io.stdin_fd);
    spec.stdout_target = OutputTarget::forward(io.stdout_fd);
    spec.stderr_target = OutputTarget::forward(io.stderr_fd);
    notify_started("run");
    RunResult run = plan.launcher->run(spec, plan.cancel);
    if (plan.record_run) plan.record_run(spec.limits, run);
    notify_finished("run", run);
    return outcome_of(verdict_of_run(run));
}

StreamOutcome run_stream(Judge& judge, const Job& job, const StreamIo& io, const StreamEvents& events,
                         const JudgeContext& context) {
    auto* streaming = dynamic_cast<StreamingJudge*>(&judge);
    if (!streaming) return StreamOutcome{Verdict::internal_error, "Internal error: this judge cannot stream"};
    return streaming->stream(job, io, events, context);
}

}  // namespace ringfence::judge
