#!/bin/sh
# Builds the libFuzzer target for the journal and snapshot readers and runs it on the seed corpus.
#   Tests/Fuzz/run.sh                 # 1,000,000 inputs
#   Tests/Fuzz/run.sh -runs=100000    # any libFuzzer flags replace the default run count
# Build output, the growing corpus and crash-* artifacts go to .build-fuzz/ (git-ignored).
set -eu
cd "$(dirname "$0")/../.."
out=.build-fuzz
mkdir -p "$out/corpus" "$out/artifacts" "$out/CCoachPlatform"
# The library imports the C shim target CCoachPlatform: compile it, and give swiftc the module
# map SwiftPM would generate for it.
printf 'module CCoachPlatform {\n    header "%s/Sources/CCoachPlatform/include/CCoachPlatform.h"\n    export *\n}\n' "$PWD" \
    > "$out/CCoachPlatform/module.modulemap"
clang -c -O1 -g -fsanitize=address -I Sources/CCoachPlatform/include Sources/CCoachPlatform/CCoachPlatform.c \
    -o "$out/CCoachPlatform.o"
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name CoachPersistence -I "$out/CCoachPlatform" \
    $(find Sources/CoachPersistence -name '*.swift' | sort) Tests/Fuzz/ReaderFuzzTarget.swift "$out/CCoachPlatform.o" \
    -o "$out/reader-fuzzer"
[ $# -eq 0 ] && set -- -runs=1000000
# The first folder collects new inputs; the committed seed corpus is only read.
exec "$out/reader-fuzzer" -artifact_prefix="$out/artifacts/" "$@" "$out/corpus" Tests/Fuzz/corpus
