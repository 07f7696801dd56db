#!/bin/sh
# test-format.sh — every C file and header of numlab's source follows
# .clang-format (the code's style, applied once to the whole tree). Shows
# the first lines clang-format would change. Prints TAP; skips where
# clang-format 14 or newer is not installed (quickstart.sh check installs
# it, so CI always runs it).
set -u
: "${abs_top_srcdir:?}"
echo "1..1"
cf=$(command -v clang-format || true)
major=$([ -n "$cf" ] && "$cf" --version | sed -n 's/.*version \([0-9]*\).*/\1/p')
if [ -z "$cf" ] || [ "${major:-0}" -lt 14 ]; then
    echo "ok 1 # SKIP clang-format 14 or newer is not installed"
    exit 0
fi
cd "$abs_top_srcdir" || exit 1
# A git checkout: the tracked files (an in-tree build generates headers
# beside them); a release tarball: every C file it holds.
if [ -d .git ] || [ -f .git ]; then
    files=$(git ls-files '*.c' '*.h' 2>/dev/null)
else
    files=$(find backends experiments framework plugins tests \
        \( -name '*.c' -o -name '*.h' \) -type f ! -name config.h |
        grep -v 'aliases-ini\.h$' | sort)
fi
bad=""
for f in $files; do
    if ! "$cf" --style=file --dry-run --Werror "$f" >/dev/null 2>&1; then
        bad="$bad $f"
    fi
done
if [ -z "$bad" ]; then
    echo "ok 1 - $(echo "$files" | wc -l) files follow .clang-format"
else
    echo "not ok 1 - not formatted (run: clang-format -i FILE):$bad"
    for f in $bad; do
        "$cf" --style=file "$f" | diff "$f" - | sed -n '1,6s/^/# /p'
    done
fi
