#!/usr/bin/env bash
# Prepares what the docker executor's tests and benches need, idempotently (Debian 12, as root):
#   1. docker.io and busybox-static installed (apt-get) when dockerd or a static busybox is missing;
#   2. dockerd running (started in the background, log in $YARD_DOCKERD_LOG) when `docker info` fails;
#   3. the image yard/busybox:local, imported from a tarball of /bin/busybox and its applet links, when absent
#      or built with another applet list.
# `docker-test-env.sh --apt-packages` only prints the missing apt packages (./test installs them with its own).
set -euo pipefail

IMAGE=yard/busybox:local
APPLETS="sh wc cat echo true false sleep ls head tail env printf test mkdir rm touch date tr seq grep"
DOCKERD_LOG="${YARD_DOCKERD_LOG:-/tmp/yard-dockerd.log}"

missing_apt_packages() {
  command -v dockerd >/dev/null || echo docker.io
  # The package, not just a busybox on the PATH: the image needs the static build (no libc inside).
  dpkg -s busybox-static >/dev/null 2>&1 || echo busybox-static
}

if [ "${1:-}" = "--apt-packages" ]; then
  missing_apt_packages
  exit 0
fi

mapfile -t need_apt < <(missing_apt_packages)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

if ! docker info >/dev/null 2>&1; then
  echo "starting dockerd (log: $DOCKERD_LOG)"
  setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 < /dev/null &
  for _ in $(seq 1 30); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    echo "dockerd did not come up within 30 s; see $DOCKERD_LOG:" >&2
    tail -n 20 "$DOCKERD_LOG" >&2 || true
    exit 1
  fi
fi

# Rebuilt when the label says another applet list, so adding an applet here reaches existing machines.
if [ "$(docker image inspect -f '{{index .Config.Labels "yard.applets"}}' "$IMAGE" 2>/dev/null || true)" != "$APPLETS" ]; then
  echo "building $IMAGE from /bin/busybox"
  previous="$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)"
  root="$(mktemp -d)"
  trap 'rm -rf "$root"' EXIT
  mkdir -p "$root/rootfs/bin" "$root/rootfs/tmp" "$root/rootfs/work"
  cp /bin/busybox "$root/rootfs/bin/busybox"
  for applet in $APPLETS; do
    ln -sf busybox "$root/rootfs/bin/$applet"
  done
  chmod 1777 "$root/rootfs/tmp"
  tar --owner=0 --group=0 -C "$root/rootfs" -cf "$root/rootfs.tar" .
  docker import --change "LABEL yard.applets=\"$APPLETS\"" --change 'ENV PATH=/bin' --change 'CMD ["sh"]' \
    "$root/rootfs.tar" "$IMAGE" >/dev/null
  # The older build lost its tag; drop it unless a container still uses it.
  [ -z "$previous" ] || docker image rm "$previous" >/dev/null 2>&1 || true
fi
echo "docker ready: $(docker version -f '{{.Server.Version}}'), image $IMAGE"
