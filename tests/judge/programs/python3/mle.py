# Allocates and touches 200 MiB; meant to run under a 64 MiB limit.
blocks = [bytearray(b"\x01") * (8 << 20) for _ in range(25)]
print(sum(block[4096] for block in blocks))
