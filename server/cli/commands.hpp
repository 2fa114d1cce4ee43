// One function per `ringfence` subcommand; argv[0] is the subcommand's name.
#pragma once

namespace ringfence::cli {

int cmd_run(int argc, char** argv);
int cmd_version(int argc, char** argv);
int cmd_check(int argc, char** argv);
int cmd_judge(int argc, char** argv);
int cmd_serve(int argc, char** argv);
int cmd_vm_image(int argc, char** argv);

}  // namespace ringfence::cli
