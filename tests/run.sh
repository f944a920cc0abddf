#!/bin/sh
# Run every test: cmocka unit tests (under ASan/UBSan), the fuzz corpora and saved crash
# inputs replayed, then the end-to-end suite against the lab. Prints one line per test and
# ends with exactly one line "N passed, N failed".
set -u
cd "$(dirname "$0")/.."

pass=0
fail=0
tap=$(mktemp)
trap 'rm -f "$tap"' EXIT

for t in build/asan/test_*; do
	[ -x "$t" ] || continue
	CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$tap" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$tap")
	f=$(grep -c '^not ok ' "$tap")
	sed -n 's/^ok [0-9]* - /PASS unit: /p; s/^not ok [0-9]* - /FAIL unit: /p' "$tap"
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# crashed or a sanitizer fired outside a test: count it, show why
		echo "FAIL unit: $t exited $rc"
		tail -20 "$tap"
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
done

# The layer table of ARCHITECTURE.md, held against every include.
if sh tests/layers.sh; then pass=$((pass + 1)); else fail=$((fail + 1)); fi

# Fuzz targets as regression tests: every seed and every saved crash input, once each.
for t in build/asan/fuzz_*; do
	[ -x "$t" ] || continue
	name=${t#build/asan/fuzz_}
	if r=$("$t" "tests/fuzz/corpus/$name" "tests/fuzz/crashes/$name" 2>&1); then
		echo "PASS fuzz-replay: $name ($(echo "$r" | tail -1))"
		pass=$((pass + 1))
	else
		echo "FAIL fuzz-replay: $name"
		echo "$r" | tail -30
		fail=$((fail + 1))
	fi
done

out=$(mktemp)
python3 tests/e2e/run.py --bin build/asan/mailtls | tee "$out"
p=$(grep -c '^PASS ' "$out")
f=$(grep -c '^FAIL ' "$out")
grep -q '^e2e: ' "$out" || { echo "FAIL e2e: the suite did not finish"; f=$((f + 1)); }
rm -f "$out"
pass=$((pass + p))
fail=$((fail + f))

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
