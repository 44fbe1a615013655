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

# bench_install SCRIPT PACKAGE...: installs the Debian packages whose command is missing (package name = command name,
# e.g. nginx, wrk), once: nothing happens when all are there. BENCH_NO_INSTALL=1 makes a missing one an error instead.
bench_install() {
  local script="$1"; shift
  local missing=() package
  for package in "$@"; do
    command -v "$package" >/dev/null || [ -x "/usr/sbin/$package" ] || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "${BENCH_NO_INSTALL:-0}" = 1 ]; then
      echo "$script: ${missing[*]} required (apt-get install -y ${missing[*]})" >&2
      exit 1
    fi
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "installing ${missing[*]}..." >&2
    $sudo apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}" >&2
  fi
  # PATH may lack /usr/sbin (nginx) for a non-root user.
  case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH="$PATH:/usr/sbin" ;; esac
}

# bench_synthetic YARD_DLL WORK STORIES PARAMS TYPE: prints the path of a synthetic model of PARAMS parameters (e.g. 110M) and
# TYPE (f32, q8_0, ...) with the vocabulary of STORIES, generating it under WORK unless a file with the size and SHA-256
# recorded at its generation (and the same generation arguments) is already there.
bench_synthetic() {
  local yard="$1" work="$2" stories="$3" params="$4" type="$5"
  local file="$work/synthetic-${params,,}-$type.gguf"
  local args="--synthetic --params $params --type $type --vocab-from $stories --seed 42"
  local stamp="$file.stamp"
  if [ -f "$file" ] && [ -f "$stamp" ]; then
    local want have
    want="$(cat "$stamp")"
    have="$args $(stat -c %s "$file") $(sha256sum "$file" | cut -d' ' -f1)"
    if [ "$want" = "$have" ]; then
      echo "$file"
      return
    fi
  fi
  echo "generating $file..." >&2
  mkdir -p "$work"
  # shellcheck disable=SC2086 # args is a list of words
  dotnet "$yard" model create $args --out "$file" >&2
  echo "$args $(stat -c %s "$file") $(sha256sum "$file" | cut -d' ' -f1)" > "$stamp"
  echo "$file"
}

# bench_ttft SCRIPT NAME RUNNER ARGS...: the TTFT benchmarks' common run (bench/engine-preemption.sh, bench/cpu-weights.sh):
# builds yard unless --no-build is among ARGS, generates the synthetic 110M Q8_0 model once, empties bench/.work/NAME and
# runs bench/RUNNER with the rest of ARGS.
bench_ttft() {
  local script="$1" name="$2" runner="$3"; shift 3
  local root build=1 a
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  local args=()
  for a in "$@"; do if [ "$a" = "--no-build" ]; then build=0; else args+=("$a"); fi; done
  local yard="$root/src/Yardmaster.Cli/bin/Release/net10.0/yard.dll"
  [ "$build" = 1 ] && bench_build "$root" src/Yardmaster.Cli/Yardmaster.Cli.csproj
  local model
  model="$(bench_synthetic "$yard" "$root/bench/.work/models" "$root/tests/fixtures/models/stories260K.gguf" 110M q8_0)"
  local work="$root/bench/.work/$name"
  rm -rf "$work" && mkdir -p "$work"
  bench_run python3 "$root/bench/$runner" --yard "$yard" --model "$model" --work "$work" --out "$root/bench/results" \
    --command "bench/$script $*" "${args[@]}"
}
