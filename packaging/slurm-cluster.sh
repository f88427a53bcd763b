#!/usr/bin/env bash
# A private one-machine Slurm cluster for trying and testing the cluster workflow: munge with its
# own key and socket, one slurmctld and two slurmd emulating the nodes n1 and n2 (one CPU each),
# everything under one folder and started by hand (no systemd). The cluster name and the ports are
# picked per start, so two clusters can run side by side on one machine. Needs root and Debian's
# slurm-wlm and munge (packaging/install-deps.sh).
#
#   bash packaging/slurm-cluster.sh start DIR   # then: source DIR/env; sinfo; sbatch ...
#   bash packaging/slurm-cluster.sh stop DIR    # cancels its jobs, stops exactly what start started
#
# DIR holds slurm.conf, env (export SLURM_CONF=...), pids (the processes start started, by id),
# the logs (DIR/log) and the daemons' state. start refuses a folder that holds anything else.
set -euo pipefail

readonly nodes=(n1 n2)
readonly marker=.gz-slurm-cluster

die() {
    echo "slurm-cluster.sh: $*" >&2
    exit 1
}

usage() {
    echo "usage: bash packaging/slurm-cluster.sh start|stop DIR" >&2
    exit 2
}

# True while PID is a live process whose command line names this cluster's folder: a recorded id
# that has exited, or been reused by another program since, is never signalled.
is_ours() {
    local pid=$1 cmdline
    [[ -r /proc/$pid/cmdline ]] || return 1
    cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ $cmdline == *"$dir/"* ]]
}

# Waits up to SECONDS for PID to be gone (or no longer ours).
wait_gone() {
    local pid=$1 seconds=$2 i
    for ((i = 0; ; i++)); do
        is_ours "$pid" || return 0
        ((i < seconds * 10)) || return 1
        sleep 0.1
    done
}

# Prints the pid in FILE once it exists (daemons write it a moment after forking).
wait_pid_file() {
    local file=$1 i
    for ((i = 0; i < 150; i++)); do
        if [[ -s $file ]]; then
            tr -d ' \n' <"$file"
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# TCP ports in use on this machine in any state (from the kernel's tables: no tool needed).
used_ports() {
    local f slot address rest
    for f in /proc/net/tcp /proc/net/tcp6; do
        [[ -r $f ]] || continue
        while read -r slot address rest; do
            [[ $slot == sl ]] || echo $((16#${address##*:}))
        done <"$f"
    done
}

# Prints COUNT consecutive free ports below Linux's ephemeral range (32768-60999), starting at a
# random base, so that a second cluster started at the same time very likely gets others.
pick_ports() {
    local count=$1 try base p taken
    local used
    used=" $(used_ports | tr '\n' ' ') "
    for ((try = 0; try < 100; try++)); do
        base=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
        taken=0
        for ((p = base; p < base + count; p++)); do
            [[ $used == *" $p "* ]] && taken=1
        done
        if ((!taken)); then
            seq "$base" $((base + count - 1))
            return 0
        fi
    done
    die "no $count free consecutive ports found between 20000 and 32000"
}

record_pid() {
    echo "$1 $2" >>"$dir/pids"
}

write_conf() {
    local name=$1 ctld_port=$2
    shift 2
    local -a node_ports=("$@")
    {
        echo "# Written by packaging/slurm-cluster.sh: a private one-machine cluster."
        echo "ClusterName=$name"
        echo "SlurmctldHost=localhost"
        echo "SlurmctldPort=$ctld_port"
        echo "SlurmUser=root"
        echo "AuthType=auth/munge"
        echo "CredType=cred/munge"
        echo "AuthInfo=socket=$dir/munge/munge.socket"
        echo "StateSaveLocation=$dir/state"
        echo "SlurmdSpoolDir=$dir/spool/%n"
        echo "SlurmctldPidFile=$dir/run/slurmctld.pid"
        echo "SlurmdPidFile=$dir/run/slurmd-%n.pid"
        echo "SlurmctldLogFile=$dir/log/slurmctld.log"
        echo "SlurmdLogFile=$dir/log/slurmd-%n.log"
        echo "ProctrackType=proctrack/linuxproc"
        echo "TaskPlugin=task/none"
        echo "SelectType=select/cons_tres"
        echo "SelectTypeParameters=CR_Core"
        echo "MpiDefault=none"
        echo "ReturnToService=2"
        echo "MailProg=/bin/true"
        # Jobs start at once instead of in waves a few seconds apart. kill_invalid_depend is left
        # out on purpose, as on most production clusters: a workflow must cancel its own
        # dependents (sbatch --kill-on-invalid-dep=yes), and the tests check that it does.
        echo "SchedulerParameters=batch_sched_delay=0"
        # No accounting here: finished jobs stay visible to `scontrol show job` for 10 minutes.
        echo "MinJobAge=600"
        echo "KillWait=5"
        echo "AccountingStorageType=accounting_storage/none"
        echo "JobAcctGatherType=jobacct_gather/none"
        echo "JobCompType=jobcomp/none"
        local i
        for i in "${!nodes[@]}"; do
            echo "NodeName=${nodes[i]} NodeHostname=localhost NodeAddr=127.0.0.1" \
                "Port=${node_ports[i]} CPUs=1 State=UNKNOWN"
        done
        echo "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
    } >"$dir/slurm.conf.tmp"
    mv "$dir/slurm.conf.tmp" "$dir/slurm.conf"
}

start_munge() {
    install -d -m 755 -o munge -g munge "$dir/munge"
    # munged refuses a key readable by anyone but its owner, and a socket folder that others
    # cannot enter (700 gives "Socket is inaccessible").
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chown munge:munge "$dir/munge/munge.key"
    chmod 600 "$dir/munge/munge.key"
    runuser -u munge -- munged --socket="$dir/munge/munge.socket" \
        --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
        --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" \
        </dev/null >>"$dir/log/start.log" 2>&1 ||
        fail "munged did not start (see $dir/munge/munged.log)"
    local pid
    pid=$(wait_pid_file "$dir/munge/munged.pid") || fail "munged wrote no pid file"
    record_pid munged "$pid"
}

start_slurm() {
    local pid node
    slurmctld -c -f "$dir/slurm.conf" </dev/null >>"$dir/log/start.log" 2>&1 ||
        fail "slurmctld did not start"
    pid=$(wait_pid_file "$dir/run/slurmctld.pid") || fail "slurmctld wrote no pid file"
    record_pid slurmctld "$pid"
    for node in "${nodes[@]}"; do
        mkdir -p "$dir/spool/$node"
        slurmd -f "$dir/slurm.conf" -N "$node" </dev/null >>"$dir/log/start.log" 2>&1 ||
            fail "slurmd $node did not start"
        pid=$(wait_pid_file "$dir/run/slurmd-$node.pid") || fail "slurmd $node wrote no pid file"
        record_pid "slurmd-$node" "$pid"
    done
}

wait_idle() {
    local i idle name pid
    for ((i = 0; i < 600; i++)); do
        while read -r name pid; do
            is_ours "$pid" || fail "$name ($pid) exited during the start"
        done <"$dir/pids"
        idle=$(SLURM_CONF=$dir/slurm.conf sinfo -h -t idle -o %D 2>/dev/null |
            awk '{ s += $1 } END { print s + 0 }') || idle=0
        ((idle == ${#nodes[@]})) && return 0
        sleep 0.1
    done
    fail "the nodes are not idle after 60 s: $(SLURM_CONF=$dir/slurm.conf sinfo 2>&1)"
}

# A start that fails half-way stops what it had started and shows the logs.
fail() {
    trap - ERR
    echo "slurm-cluster.sh: $*" >&2
    local f
    for f in "$dir"/log/*.log "$dir"/munge/munged.log; do
        [[ -s $f ]] || continue
        echo "--- $f (last lines)" >&2
        tail -n 8 "$f" >&2
    done
    stop_cluster >&2 || true
    exit 1
}

start_cluster() {
    [[ $(id -u) -eq 0 ]] || die "needs root (the daemons run as root and munge)"
    local cmd
    for cmd in slurmctld slurmd munged scontrol sinfo runuser; do
        command -v "$cmd" >/dev/null || die "$cmd not found: bash packaging/install-deps.sh"
    done
    id munge >/dev/null 2>&1 || die "no munge user: bash packaging/install-deps.sh"
    if [[ -e $dir/pids ]]; then
        local name pid
        while read -r name pid; do
            is_ours "$pid" && die "a cluster is running in $dir ($name $pid): stop it first"
        done <"$dir/pids"
    fi
    if [[ -n $(ls -A "$dir") && ! -e $dir/$marker ]]; then
        die "$dir is not empty and holds no cluster of slurm-cluster.sh: refusing to use it"
    fi
    # Anything unexpected from here on also stops what was started.
    set -E
    trap 'fail "start failed at line $LINENO"' ERR
    rm -rf "${dir:?}"/{state,spool,run,log,munge,pids,env,slurm.conf}
    touch "$dir/$marker"
    # munged runs as the munge user and must reach its socket through this folder.
    chmod 755 "$dir"
    runuser -u munge -- test -x "$dir" ||
        fail "the munge user cannot enter $dir (a parent folder is closed): use one under /tmp"
    mkdir -p "$dir/state" "$dir/spool" "$dir/run" "$dir/log"

    local name ports
    name=gz$(printf '%04x%04x' $RANDOM $RANDOM)
    mapfile -t ports < <(pick_ports $((1 + ${#nodes[@]})))
    write_conf "$name" "${ports[@]}"
    start_munge
    start_slurm
    wait_idle
    echo "export SLURM_CONF=$dir/slurm.conf" >"$dir/env.tmp"
    mv "$dir/env.tmp" "$dir/env"
    echo "slurm-cluster.sh: cluster $name up in $dir (nodes ${nodes[*]}, slurmctld port" \
        "${ports[0]}); source $dir/env to use it"
}

stop_cluster() {
    [[ -e $dir/pids ]] || {
        echo "slurm-cluster.sh: no cluster recorded in $dir, nothing to stop"
        return 0
    }
    local name pid ctld_alive=0 grace=0
    while read -r name pid; do
        [[ $name == slurmctld ]] && is_ours "$pid" && ctld_alive=1
    done <"$dir/pids"
    if ((ctld_alive)); then
        export SLURM_CONF=$dir/slurm.conf
        # Cancel this cluster's jobs first, so that no job step outlives its slurmd.
        local jobs i
        jobs=$(squeue -h -o %A 2>/dev/null || true)
        if [[ -n $jobs ]]; then
            # shellcheck disable=SC2086
            scancel $jobs 2>/dev/null || true
            for ((i = 0; i < 150; i++)); do
                [[ -z $(squeue -h -o %A 2>/dev/null) ]] && break
                sleep 0.1
            done
        fi
        timeout 30 scontrol shutdown >/dev/null 2>&1 && grace=20
    fi
    # scontrol shutdown stops slurmctld and every slurmd (given GRACE seconds); munged is stopped
    # last. Whatever is still there gets SIGTERM, then SIGKILL, by its recorded id.
    local -a order=()
    while read -r name pid; do
        [[ $name == munged ]] || order+=("$name:$pid")
    done <"$dir/pids"
    while read -r name pid; do
        [[ $name == munged ]] && order+=("$name:$pid")
    done <"$dir/pids"
    local entry left=0
    for entry in "${order[@]}"; do
        name=${entry%%:*}
        pid=${entry##*:}
        if [[ $name == munged ]]; then
            is_ours "$pid" && kill -TERM "$pid" 2>/dev/null
            wait_gone "$pid" 10 && continue
        else
            wait_gone "$pid" "$grace" && continue
        fi
        echo "slurm-cluster.sh: $name ($pid) still running, sending SIGTERM" >&2
        kill -TERM "$pid" 2>/dev/null || true
        wait_gone "$pid" 10 && continue
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone "$pid" 5 || {
            echo "slurm-cluster.sh: $name ($pid) did not exit" >&2
            left=1
        }
    done
    ((left)) && return 1
    rm -f "$dir/pids" "$dir/env"
    echo "slurm-cluster.sh: cluster in $dir stopped"
}

[[ $# -eq 2 ]] || usage
case $1 in
start)
    mkdir -p "$2"
    dir=$(cd "$2" && pwd)
    start_cluster
    ;;
stop)
    [[ -d $2 ]] || die "no folder $2"
    dir=$(cd "$2" && pwd)
    stop_cluster
    ;;
*) usage ;;
esac
