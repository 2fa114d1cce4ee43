// Base64 as Judge0 writes it, HMAC/SHA-256 vectors, callback address policy.
#include <doctest/doctest.h>

#include <boost/asio/ip/address.hpp>

#include "service/base64.hpp"
#include "service/callback_sender.hpp"
#include "service/callback_url.hpp"
#include "service/crypto.hpp"

using namespace ringfence::server;

TEST_CASE("base64 wraps like Ruby's Base64.encode64") {
    CHECK(base64_encode_wrapped("") == "");
    CHECK(base64_encode_wrapped("hello, Judge0\n") == "aGVsbG8sIEp1ZGdlMAo=\n");
    std::string long_text(100, 'a');
    std::string wrapped = base64_encode_wrapped(long_text);
    // 100 bytes -> 136 characters -> lines of 60, 60, 16, each ending in \n.
    REQUIRE(wrapped.size() == 136 + 3);
    CHECK(wrapped[60] == '\n');
    CHECK(wrapped[121] == '\n');
    CHECK(wrapped.back() == '\n');
    CHECK(base64_decode_lenient(wrapped).value() == long_text);
    std::string exactly60(45, 'z');  // 45 bytes -> exactly 60 characters -> one line
    CHECK(base64_encode_wrapped(exactly60).size() == 61);
}

TEST_CASE("base64 decoding is lenient about whitespace and padding, strict about the alphabet") {
    CHECK(base64_decode_lenient("aGk=").value() == "hi");
    CHECK(base64_decode_lenient("aGk").value() == "hi");
    CHECK(base64_decode_lenient("aG\r\nk=\n").value() == "hi");
    CHECK(base64_decode_lenient("").value() == "");
    CHECK_FALSE(base64_decode_lenient("a*Gk").has_value());
    CHECK_FALSE(base64_decode_lenient("a").has_value());
    CHECK_FALSE(base64_decode_lenient("aGk=aGk=").has_value());
    std::string binary;
    for (int i = 0; i < 256; ++i) binary += static_cast<char>(i);
    CHECK(base64_decode_lenient(base64_encode(binary)).value() == binary);
}

TEST_CASE("UTF-8 validation") {
    CHECK(is_valid_utf8("plain"));
    CHECK(is_valid_utf8("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"));
    CHECK_FALSE(is_valid_utf8("\xff"));
    CHECK_FALSE(is_valid_utf8("\xc3"));
    CHECK_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong
    CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
}

TEST_CASE("SHA-256 and HMAC-SHA256 match the published vectors") {
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // RFC 4231 test case 2.
    CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    CHECK(callback_signature("Jefe", 1700000000, "{}") ==
          "t=1700000000,sha256=" + hmac_sha256_hex("Jefe", "1700000000.{}"));
    CHECK(constant_time_equal("abc", "abc"));
    CHECK_FALSE(constant_time_equal("abc", "abd"));
    CHECK_FALSE(constant_time_equal("abc", "ab"));
}

TEST_CASE("job ids are random UUIDv4") {
    std::string a = random_uuid_v4(), b = random_uuid_v4();
    CHECK(a != b);
    REQUIRE(a.size() == 36);
    CHECK(a[14] == '4');
    CHECK(std::string("89ab").find(a[19]) != std::string::npos);
}

TEST_CASE("callback addresses: loopback, private and link-local are refused") {
    auto reason = [](const char* a) { return forbidden_address_reason(boost::asio::ip::make_address(a)); };
    CHECK(reason("127.0.0.1") == "loopback");
    CHECK(reason("10.1.2.3") == "private");
    CHECK(reason("172.16.0.1") == "private");
    CHECK(reason("172.31.255.255") == "private");
    CHECK(reason("172.32.0.1") == "");
    CHECK(reason("192.168.1.1") == "private");
    CHECK(reason("169.254.169.254") == "link-local");  // cloud metadata
    CHECK(reason("0.0.0.0") == "unspecified");
    CHECK(reason("100.64.0.1") != "");
    CHECK(reason("8.8.8.8") == "");
    CHECK(reason("::1") == "loopback");
    CHECK(reason("fe80::1") == "link-local");
    CHECK(reason("fd00::1") == "private");
    CHECK(reason("::ffff:127.0.0.1") == "loopback");
    CHECK(reason("::ffff:10.0.0.1") == "private");
    CHECK(reason("2001:4860:4860::8888") == "");
}

TEST_CASE("callback URLs are parsed strictly") {
    auto u = parse_callback_url("http://example.com:8080/hook?x=1#frag");
    REQUIRE(u.ok());
    CHECK(u->host == "example.com");
    CHECK(u->port == "8080");
    CHECK(u->target == "/hook?x=1");
    auto v6 = parse_callback_url("http://[2001:db8::1]/h");
    REQUIRE(v6.ok());
    CHECK(v6->host == "2001:db8::1");
    CHECK(v6->port == "80");
    CHECK_FALSE(parse_callback_url("ftp://example.com/").ok());
    CHECK_FALSE(parse_callback_url("http://user:pw@example.com/").ok());
    CHECK_FALSE(parse_callback_url("http://example.com:99999/").ok());
    CHECK_FALSE(parse_callback_url("http:///path").ok());
    CHECK_FALSE(parse_callback_url("http://exa mple.com/").ok());

    CHECK_FALSE(validate_callback_url("http://127.0.0.1:9000/", false).ok());
    CHECK_FALSE(validate_callback_url("http://localhost/", false).ok());
    CHECK_FALSE(validate_callback_url("http://[::1]/", false).ok());
    CHECK(validate_callback_url("http://127.0.0.1:9000/", true).ok());
    CHECK(validate_callback_url("http://hooks.example.com/", false).ok());
    auto refused = validate_callback_url("http://169.254.169.254/latest", false);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.find("link-local") != std::string::npos);
}

TEST_CASE("a callback to a forbidden address is refused before connecting") {
    CallbackConfig config;
    PendingCallback cb;
    cb.url = "http://127.0.0.1:9/";
    cb.method = "POST";
    cb.body = "{}";
    auto a = send_callback(cb, "secret", config);
    CHECK_FALSE(a.delivered);
    CHECK(a.permanent_failure);
    CHECK(a.error.find("loopback") != std::string::npos);
}
