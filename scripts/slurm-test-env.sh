#!/usr/bin/env bash
# A real two-node Slurm cluster on this machine for the slurm executor's tests and benches (Debian 12, as root),
# prepared idempotently (running daemons are reused, dead ones started again, a changed config restarts them all):
#   1. slurm-wlm, munge, mariadb-server and slurmdbd installed with apt-get when missing;
#   2. munged running (Debian's /etc/munge/munge.key);
#   3. accounting: a private MariaDB in $DIR/mysql (127.0.0.1:16830, run as user mysql) and slurmdbd (:16819),
#      so sacct answers for jobs slurmctld has forgotten;
#   4. slurmctld (:16817) and two slurmd on loopback, n1 (:16821) and n2 (:16822), 2 CPUs and 4000 MiB each,
#      partition main; task/cgroup with ConstrainRAMSpace on cgroup v1 (OOM kills are reported as OUT_OF_MEMORY),
#      task/none when the memory cgroup cannot be used here;
#   5. waits until n1 and n2 answer (idle, or busy with jobs), then writes $DIR/env, which the tests read:
#      SLURM_CONF, YARD_SLURM_NODES, YARD_SLURM_PARTITION, YARD_SLURM_BIN_DIR, YARD_SLURM_OOM (cgroup|none),
#      YARD_SLURM_ACCOUNTING (slurmdbd).
# Usage: slurm-test-env.sh            prepare (or reuse) the cluster
#        slurm-test-env.sh --status   exit 0 when the cluster answers and both nodes are up, else 1
#        slurm-test-env.sh --stop     stop the daemons this script starts (munged only if it started it)
#        slurm-test-env.sh --apt-packages   print the missing apt packages (./test installs them with its own)
# $YARD_SLURM_DIR overrides the folder (default /tmp/yardmaster-slurm).
set -euo pipefail

DIR="${YARD_SLURM_DIR:-/tmp/yardmaster-slurm}"
CONF="$DIR/slurm.conf"
NODES=(n1 n2)
CTLD_PORT=16817
DBD_PORT=16819
DB_PORT=16830
declare -A NODE_PORT=([n1]=16821 [n2]=16822)
export SLURM_CONF="$CONF"

missing_apt_packages() {
  command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null || echo slurm-wlm
  command -v munged >/dev/null || echo munge
  command -v slurmdbd >/dev/null || echo slurmdbd
  command -v mariadbd >/dev/null || echo mariadb-server
}

alive() { # alive PIDFILE NAME: the pid in PIDFILE runs a program called NAME
  local pid
  [ -s "$1" ] || return 1
  pid="$(cat "$1")"
  [ -d "/proc/$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]
}

stop_pid() { # stop_pid PIDFILE NAME: SIGTERM, then SIGKILL after 10 s
  alive "$1" "$2" || { rm -f "$1"; return 0; }
  local pid
  pid="$(cat "$1")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    [ -d "/proc/$pid" ] || break
    sleep 0.1
  done
  [ -d "/proc/$pid" ] && kill -9 "$pid" 2>/dev/null || true
  rm -f "$1"
}

nodes_up() { # both nodes known to slurmctld and in a usable state
  local states
  states="$(timeout 10 sinfo -h -N -p main -o '%N %t' 2>/dev/null)" || return 1
  for node in "${NODES[@]}"; do
    grep -qE "^$node (idle|mix|alloc|comp)$" <<<"$states" || return 1
  done
}

stop_all() {
  if alive "$DIR/slurmctld.pid" slurmctld; then
    timeout 10 scontrol shutdown >/dev/null 2>&1 || true
  fi
  for node in "${NODES[@]}"; do stop_pid "$DIR/slurmd.$node.pid" slurmd; done
  stop_pid "$DIR/slurmctld.pid" slurmctld
  stop_pid "$DIR/slurmdbd.pid" slurmdbd
  stop_pid "$DIR/mysql/mysqld.pid" mariadbd
  if [ -f "$DIR/munged.started" ]; then
    stop_pid /run/munge/munged.pid munged
    rm -f "$DIR/munged.started"
  fi
  rm -f "$DIR/env"
}

case "${1:-}" in
  --apt-packages) missing_apt_packages; exit 0 ;;
  --status) [ -f "$DIR/env" ] && alive "$DIR/slurmctld.pid" slurmctld && nodes_up; exit ;;
  --stop) stop_all; echo "slurm stopped ($DIR)"; exit 0 ;;
  "") ;;
  *) echo "usage: $0 [--status | --stop | --apt-packages]" >&2; exit 2 ;;
esac

mapfile -t need_apt < <(missing_apt_packages)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
mkdir -p "$DIR/state" "$DIR/log" "$DIR/mysql"
for node in "${NODES[@]}"; do mkdir -p "$DIR/spool/$node"; done

# munge: the Debian package's key; started as its own user when no daemon answers.
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  if [ ! -s /etc/munge/munge.key ]; then
    # Debian's package normally creates it; a machine without one gets a fresh key (only this machine uses it).
    mungekey --create --keyfile=/etc/munge/munge.key
    chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
  fi
  mkdir -p /run/munge && chown munge:munge /run/munge
  su -s /bin/sh munge -c /usr/sbin/munged
  touch "$DIR/munged.started"
  for _ in $(seq 1 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi

# Memory cgroups: task/cgroup on cgroup v1 when the memory controller is mounted and writable here.
if [ -w /sys/fs/cgroup/memory/cgroup.procs ] && [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
  oom=cgroup
else
  oom=none
fi
[ "${YARD_SLURM_FORCE_TASK_NONE:-}" = 1 ] && oom=none

write_config() { # write_config OOM: slurm.conf, cgroup.conf and slurmdbd.conf into $DIR/next/
  mkdir -p "$DIR/next"
  local proctrack=proctrack/linuxproc task=task/none
  if [ "$1" = cgroup ]; then proctrack=proctrack/cgroup task=task/cgroup; fi
  cat >"$DIR/next/slurm.conf" <<EOF
# Written by scripts/slurm-test-env.sh: a two-node cluster on loopback for Yardmaster's tests.
ClusterName=yardmaster
SlurmctldHost=localhost
SlurmctldPort=$CTLD_PORT
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/%n
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.%n.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.%n.log
ProctrackType=$proctrack
TaskPlugin=$task
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=$DBD_PORT
JobAcctGatherType=jobacct_gather/none
MinJobAge=300
KillWait=10
# Without it a job that asks no memory gets the whole node's (CR_Core_Memory), and runs alone there.
DefMemPerCPU=256
NodeName=n1 NodeHostname=localhost NodeAddr=127.0.0.1 Port=${NODE_PORT[n1]} CPUs=2 RealMemory=4000 State=UNKNOWN
NodeName=n2 NodeHostname=localhost NodeAddr=127.0.0.1 Port=${NODE_PORT[n2]} CPUs=2 RealMemory=4000 State=UNKNOWN
# Slurm's own preemption, for the tests of a job Slurm preempts: a job of 'urgent' cancels jobs of 'main' it needs room of.
PreemptType=preempt/partition_prio
PreemptMode=CANCEL
PartitionName=main Nodes=n1,n2 Default=YES MaxTime=INFINITE State=UP PriorityTier=1
PartitionName=urgent Nodes=n1,n2 MaxTime=INFINITE State=UP PriorityTier=10
EOF
  local swap=no
  [ -f /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ] && swap=yes
  cat >"$DIR/next/cgroup.conf" <<EOF
CgroupPlugin=cgroup/v1
CgroupMountpoint=/sys/fs/cgroup
ConstrainRAMSpace=yes
ConstrainSwapSpace=$swap
ConstrainCores=no
ConstrainDevices=no
EOF
  cat >"$DIR/next/slurmdbd.conf" <<EOF
AuthType=auth/munge
DbdHost=localhost
DbdPort=$DBD_PORT
SlurmUser=root
PidFile=$DIR/slurmdbd.pid
LogFile=$DIR/log/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$DB_PORT
StorageUser=slurm
StorageLoc=slurm_acct_db
EOF
  chmod 600 "$DIR/next/slurmdbd.conf"
}

install_config() { # install_config OOM: stops everything first when the config differs from the running one
  write_config "$1"
  if ! cmp -s "$DIR/next/slurm.conf" "$CONF" || ! cmp -s "$DIR/next/cgroup.conf" "$DIR/cgroup.conf" \
    || ! cmp -s "$DIR/next/slurmdbd.conf" "$DIR/slurmdbd.conf"; then
    [ -f "$CONF" ] && { echo "slurm config changed: restarting the daemons"; stop_all; }
    mv "$DIR/next/slurm.conf" "$DIR/next/cgroup.conf" "$DIR/next/slurmdbd.conf" "$DIR/"
  fi
  rm -rf "$DIR/next"
}

start_accounting() {
  local sock="$DIR/mysql/mysqld.sock"
  chown mysql:mysql "$DIR/mysql"
  if [ ! -d "$DIR/mysql/data/mysql" ]; then
    rm -rf "$DIR/mysql/data"
    mariadb-install-db --no-defaults --datadir="$DIR/mysql/data" --user=mysql --auth-root-authentication-method=normal \
      --skip-test-db >"$DIR/log/mariadb-install.log" 2>&1
  fi
  if ! mariadb-admin --no-defaults --socket="$sock" -uroot ping >/dev/null 2>&1; then
    stop_pid "$DIR/mysql/mysqld.pid" mariadbd
    setsid mariadbd --no-defaults --datadir="$DIR/mysql/data" --user=mysql --bind-address=127.0.0.1 --port=$DB_PORT \
      --socket="$sock" --pid-file="$DIR/mysql/mysqld.pid" --log-error="$DIR/mysql/mariadb.log" \
      --innodb-buffer-pool-size=64M --innodb-lock-wait-timeout=900 </dev/null >/dev/null 2>&1 &
    for _ in $(seq 1 100); do mariadb-admin --no-defaults --socket="$sock" -uroot ping >/dev/null 2>&1 && break; sleep 0.1; done
    mariadb-admin --no-defaults --socket="$sock" -uroot ping >/dev/null 2>&1 \
      || { echo "MariaDB did not start; see $DIR/mysql/mariadb.log" >&2; tail -n 20 "$DIR/mysql/mariadb.log" >&2; exit 1; }
  fi
  mariadb --no-defaults --socket="$sock" -uroot -e \
    "CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1'; GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';"
  if ! alive "$DIR/slurmdbd.pid" slurmdbd; then
    slurmdbd
    for _ in $(seq 1 100); do timeout 5 sacctmgr -n -P list cluster >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  # A slurmdbd just restarted (a changed config) may take seconds to answer: ask again for up to 30 s.
  local deadline=$((SECONDS + 30))
  until timeout 10 sacctmgr -n -P list cluster format=cluster 2>/dev/null | grep -qx yardmaster; do
    timeout 10 sacctmgr -i add cluster yardmaster >/dev/null 2>&1 && break
    if [ $SECONDS -ge $deadline ]; then
      echo "slurmdbd does not answer; see $DIR/log/slurmdbd.log" >&2; tail -n 20 "$DIR/log/slurmdbd.log" >&2; exit 1
    fi
    sleep 1
  done
}

start_slurm() {
  if ! alive "$DIR/slurmctld.pid" slurmctld || ! timeout 10 scontrol ping >/dev/null 2>&1; then
    stop_pid "$DIR/slurmctld.pid" slurmctld
    slurmctld
  fi
  for node in "${NODES[@]}"; do
    alive "$DIR/slurmd.$node.pid" slurmd || slurmd -N "$node"
  done
  local deadline=$((SECONDS + 30))
  until nodes_up; do
    if [ $SECONDS -ge $deadline ]; then return 1; fi
    # A node marked down or drained while its slurmd runs (an earlier crash) is put back.
    for node in "${NODES[@]}"; do
      if timeout 5 sinfo -h -N -n "$node" -o '%t' 2>/dev/null | grep -qE 'down|drain|fail'; then
        timeout 5 scontrol update NodeName="$node" State=RESUME >/dev/null 2>&1 || true
      fi
    done
    sleep 0.2
  done
}

install_config "$oom"
start_accounting
if ! start_slurm; then
  if [ "$oom" = cgroup ]; then
    echo "slurmd did not come up with task/cgroup (see $DIR/log/slurmd.*.log); trying task/none" >&2
    oom=none
    install_config none
    start_accounting
    start_slurm || { echo "the nodes did not come up; see $DIR/log/" >&2; sinfo -N >&2 || true; exit 1; }
  else
    echo "the nodes did not come up; see $DIR/log/" >&2
    sinfo -N >&2 || true
    exit 1
  fi
fi

cat >"$DIR/env.next" <<EOF
SLURM_CONF=$CONF
YARD_SLURM_NODES=$(IFS=,; echo "${NODES[*]}")
YARD_SLURM_PARTITION=main
YARD_SLURM_BIN_DIR=$(dirname "$(command -v sbatch)")
YARD_SLURM_OOM=$oom
YARD_SLURM_ACCOUNTING=slurmdbd
EOF
mv "$DIR/env.next" "$DIR/env"
echo "slurm ready: $(sinfo -h -N -p main -o '%N=%t' | tr '\n' ' ')(task plugin: $oom; accounting: slurmdbd; env: $DIR/env)"
