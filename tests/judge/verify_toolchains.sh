#!/bin/sh
# Checks every language profile against the installed toolchains; see README.md here.
# Usage: tests/judge/verify_toolchains.sh [--mode bare|bwrap|ringfence] [--show-errors] [ID...]
exec /usr/bin/python3 "$(dirname "$0")/verify_toolchains.py" "$@"
