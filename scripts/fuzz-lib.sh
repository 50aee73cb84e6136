# Functions shared by scripts/fuzz and scripts/fuzz-soak. Source this file
# from the module's root directory.

# fuzz_targets prints "dir target" for every fuzz target of the module, one
# per line, sorted by file.
fuzz_targets() {
	grep -rn --include='*_test.go' '^func Fuzz' . | sed 's|^\./||' | sort | while IFS= read -r line; do
		local file=${line%%:*} target=${line##*func }
		echo "$(dirname "$file") ${target%%(*}"
	done
}

# fuzz_run DIR TARGET DURATION MINIMIZE PARALLEL LOG runs one target with
# go test -fuzz, its output in LOG, and prints its verdict: ok, crash,
# deadline or error. Go's fuzzer sometimes ends a run with only "context
# deadline exceeded" and no failing input, when the time runs out while a
# worker minimizes a new input. Such a run is a deadline, not a crash.
fuzz_run() {
	local dir=$1 target=$2 duration=$3 minimize=$4 parallel=$5 log=$6
	if go test -run='^$' -fuzz="^$target\$" -fuzztime="$duration" -fuzzminimizetime="$minimize" -parallel "$parallel" "./$dir" >"$log" 2>&1; then
		echo ok
	elif grep -q "Failing input written to" "$log"; then
		echo crash
	elif grep -q "context deadline exceeded" "$log"; then
		echo deadline
	else
		echo error
	fi
}
