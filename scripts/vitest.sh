#!/usr/bin/env bash
# Runs `vitest run "$@"`, and runs once more the test files whose worker
# process was killed by a signal, when that is the only thing that failed.
#
# Why: on Node 22-26, V8 sometimes crashes (SIGSEGV, SIGTRAP) while several
# processes run PGlite's WebAssembly at once (nodejs/node#64500,
# electric-sql/pglite#1053); the embedded-database suites run two such
# processes side by side. A crashed worker runs none of its file's remaining
# tests, so the file is run again, alone, and must pass. A failed test, an
# unhandled error or a second crash still fails the run. The crash's own
# message (V8's "# Fatal error ...") is repeated at the end, to be reported
# upstream. Pass options only: file filters would be run again in full.
set -uo pipefail

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

pnpm exec vitest run "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
[ "$status" = 0 ] && exit 0

plain="$(sed 's/\x1b\[[0-9;]*m//g' "$log")"
crashed="$(grep -oE 'Worker exited unexpectedly with signal [A-Z]+ .* while running test file [^ ]+' <<<"$plain" |
  sed -E 's/.* while running test file //' | sort -u)"
errors="$(grep -oE '^ +Errors +[0-9]+ error' <<<"$plain" | grep -oE '[0-9]+' || echo 0)"
if [ -z "$crashed" ] || grep -qE '^ +(Test Files|Tests) .*failed' <<<"$plain" ||
  [ "$errors" != "$(wc -l <<<"$crashed")" ]; then
  exit "$status"
fi

echo
echo "==> a test worker was killed by a signal, and nothing else failed:"
grep -E 'Worker exited unexpectedly|# Fatal error|# Check failed|FATAL ERROR|Segmentation fault' <<<"$plain" | sed 's/^/    /'
echo "    running these files once more: (see scripts/vitest.sh for why)"
files=()
while IFS= read -r file; do
  files+=("${file#"$PWD"/}")
  echo "      ${file#"$PWD"/}"
done <<<"$crashed"
pnpm exec vitest run "$@" "${files[@]}"
