// A deliberately hostile guest agent for tests: it boots exactly like the
// real agent (same PID 1 code, modules, root switch, port), then misbehaves
// on the channel in the way /ringfence-test-mode names. The host code facing
// it is the production code; only the guest is fake, and it is fake on
// purpose: it plays a compromised guest.
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "guest/init.hpp"
#include "protocol/frame.hpp"

using namespace ringfence::vm;

namespace {

std::string read_mode() {
    std::ifstream in("/ringfence-test-mode");
    std::string mode;
    std::getline(in, mode);
    return mode;
}

std::string raw_header(std::uint8_t type, std::uint32_t length) {
    std::string h = "RFVM";
    h.push_back(static_cast<char>(kProtocolVersion));
    h.push_back(static_cast<char>(type));
    h.append(2, '\0');
    for (int i = 0; i < 4; ++i) h.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
    return h;
}

void write_raw(int fd, const std::string& bytes) { (void)!::write(fd, bytes.data(), bytes.size()); }

[[noreturn]] void hang() {
    while (true) ::pause();
}

}  // namespace

int main() {
    const std::string mode = read_mode();  // before the root switch hides the initramfs
    guest::run_guest("hostile-test", [&](guest::AgentChannel& channel, const ReadyInfo& ready) {
        if (mode == "no-ready") hang();
        (void)channel.send(FrameType::ready, encode_ready(ready));
        auto job = channel.receive();
        if (!job) return 1;
        if (mode == "garbage") write_raw(channel.fd(), "this is not a frame at all");
        else if (mode == "oversized") write_raw(channel.fd(), raw_header(4, 0xffffffffu));
        else if (mode == "bad-result")
            (void)channel.send(FrameType::result, R"({"status":"ok","exit_code":"zero"})");
        else if (mode == "deep-json")
            (void)channel.send(FrameType::result, std::string(200000, '[') + std::string(200000, ']'));
        else if (mode == "flood")
            for (int i = 0; i < 64; ++i) (void)channel.send(FrameType::stdout_data, std::string(60000, 'A'));
        else if (mode == "silent") hang();
        hang();  // stay up: the host must end the VM, not us
    });
}
