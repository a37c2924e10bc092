#!/usr/bin/env bash
# run.sh — builds each libFuzzer target against the pure parser modules and runs it for a
# short time on its seed corpus. Usage: t/fuzz/run.sh [OUT_DIR]   (env FUZZ_SECONDS, default 10)
# Exits non-zero if any target fails to build or finds a crash (artifacts in OUT_DIR/artifacts).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/t/out/fuzz}"
seconds="${FUZZ_SECONDS:-10}"
cc="${FUZZ_CC:-clang}"

if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
    echo "run.sh: FUZZ_SECONDS must be a positive whole number, got '$seconds'" >&2
    exit 2
fi
if ! command -v "$cc" >/dev/null 2>&1; then
    echo "run.sh: $cc not found (libFuzzer needs clang)" >&2
    exit 2
fi

mkdir -p "$out"
out="$(cd "$out" && pwd)"
mkdir -p "$out/bin" "$out/logs" "$out/artifacts" "$out/corpus"

# The pure modules the parsers need (request.c uses arena, str, buf; crypto for completeness;
# the contacts import's CSV reader and field rules).
sources=(
    "$root/src/core/arena.c"
    "$root/src/core/str.c"
    "$root/src/core/buf.c"
    "$root/src/core/crypto.c"
    "$root/src/http/request.c"
    "$root/src/app/campaigns/csv_read.c"
    "$root/src/app/campaigns/contact_fields.c"
    "$root/src/domain/civil_date.c"
    "$root/src/domain/retry.c"
    "$root/src/providers/twilio_api.c"
    "$root/src/providers/sendgrid.c"
)
read -r -a pkg_cflags <<<"$(pkg-config --cflags json-c libcrypto)"
read -r -a pkg_libs <<<"$(pkg-config --libs json-c libcrypto)"
cflags=(-std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined
        -fno-sanitize-recover=undefined -fno-omit-frame-pointer
        -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2 -Wstrict-prototypes -Wvla)

targets=(fuzz_query fuzz_form fuzz_cookie fuzz_multipart fuzz_json fuzz_csv fuzz_provider)
failed=0

for t in "${targets[@]}"; do
    bin="$out/bin/$t"
    log="$out/logs/$t.log"
    seeds="$here/corpus/$t"
    work="$out/corpus/$t"
    mkdir -p "$seeds" "$work"

    if ! "$cc" "${cflags[@]}" "${pkg_cflags[@]}" -o "$bin" "$here/$t.c" "${sources[@]}" "${pkg_libs[@]}" \
        >"$log" 2>&1; then
        echo "$t: BUILD FAILED (see $log)"
        failed=1
        continue
    fi

    # New inputs go to the work corpus (first directory); the committed seeds stay untouched.
    rc=0
    ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}" \
    UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
        "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$out/artifacts/$t-" "$work" "$seeds" >>"$log" 2>&1 || rc=$?

    runs="$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -n 1 || true)"
    if [ "$rc" -ne 0 ]; then
        artifact="$(grep -Eo "Test unit written to [^ ]+" "$log" | tail -n 1 | sed 's/^Test unit written to //' || true)"
        echo "$t: CRASH (exit $rc) after ${runs:-?} runs; log $log${artifact:+; input $artifact}"
        failed=1
    else
        echo "$t: ok, ${runs:-?} runs in ${seconds}s"
    fi
done

exit "$failed"
