// One function per `ringfence` subcommand; argv[0] is the subcommand's name.
#pragma once

namespace ringfence::cli {

int cmd_version(int argc, char** argv);
#ifdef RINGFENCE_HAVE_SERVE
int cmd_serve(int argc, char** argv);
#endif

}  // namespace ringfence::cli
