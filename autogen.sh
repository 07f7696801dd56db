#!/bin/sh
# autogen.sh — generates ./configure from configure.ac (a fresh clone has none).
set -e
cd "$(dirname "$0")"
mkdir -p m4 build-aux
autoreconf --force --install --verbose
echo "Now run ./configure && make && make check"
