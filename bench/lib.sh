# Shared by the macro-benchmark scripts (sourced, not run): building in Release and running the Python
# runner so that an interrupt reaching only the shell still stops it (the runner stops its own servers).

# bench_build ROOT PROJECT...: builds each project in Release; on failure prints the log and exits 1.
bench_build() {
  local root="$1"; shift
  echo "building Release..." >&2
  local project log
  for project in "$@"; do
    if ! log="$(dotnet build "$root/$project" -c Release -nologo -v quiet 2>&1)"; then
      echo "$log" >&2
      exit 1
    fi
  done
}

# bench_run COMMAND...: runs the command in the background, waits for it, and passes an interrupt on to it.
bench_runner=""
bench_cleanup() {
  if [ -n "$bench_runner" ] && kill -0 "$bench_runner" 2>/dev/null; then
    kill -TERM "$bench_runner" 2>/dev/null || true
    wait "$bench_runner" 2>/dev/null || true
  fi
}
bench_run() {
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
  "$@" &
  bench_runner=$!
  wait "$bench_runner"
}
