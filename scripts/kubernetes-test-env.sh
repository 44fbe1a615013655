#!/usr/bin/env bash
# Prepares what the kubernetes executor's tests need, idempotently (Debian 12, as root). No Kubernetes API server can
# run here; the tests start a stand-in and check the Job manifests with a real kubectl against it:
#   1. kubectl (Debian kubernetes-client) when none is on the PATH;
#   2. a real Kubernetes OpenAPI v2 document (v1.14, from the test data of Debian golang-k8s-kube-openapi-dev), which the
#      stand-in serves to kubectl for its client-side schema validation;
#   3. the env file the tests read ($YARD_KUBERNETES_TEST_ENV, default /tmp/yardmaster-kubernetes-test.env).
# `kubernetes-test-env.sh --apt-packages` only prints the missing apt packages (./test installs them with its own).
set -euo pipefail

OPENAPI=/usr/share/gocode/src/k8s.io/kube-openapi/test/integration/testdata/aggregator/openapi.json
ENV_FILE="${YARD_KUBERNETES_TEST_ENV:-/tmp/yardmaster-kubernetes-test.env}"

missing_apt_packages() {
  command -v kubectl >/dev/null || echo kubernetes-client
  [ -f "$OPENAPI" ] || echo golang-k8s-kube-openapi-dev
}

if [ "${1:-}" = "--apt-packages" ]; then
  missing_apt_packages
  exit 0
fi

mapfile -t need_apt < <(missing_apt_packages)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

printf 'KUBECTL=%s\nKUBE_OPENAPI_V2=%s\n' "$(command -v kubectl)" "$OPENAPI" > "$ENV_FILE.tmp"
mv "$ENV_FILE.tmp" "$ENV_FILE"
