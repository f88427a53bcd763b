# Sourced by the tests in tests/cluster: the conditions they need, a work folder, private Slurm
# clusters (packaging/slurm-cluster.sh) that are stopped on every exit, and fail/skip.
# Without root or Slurm a test skips (exit 77, ctest's SKIP_RETURN_CODE), unless
# GZ_REQUIRE_SLURM=1 (set by .ci/run) makes that a failure.
# Environment: GZ_SOURCE_DIR (the repository).

: "${GZ_SOURCE_DIR:?GZ_SOURCE_DIR must name the repository}"
cluster_script=$GZ_SOURCE_DIR/packaging/slurm-cluster.sh

skip() {
    if [[ ${GZ_REQUIRE_SLURM:-0} == 1 ]]; then
        echo "FAIL: $* (GZ_REQUIRE_SLURM=1: the cluster test must run here)" >&2
        exit 1
    fi
    echo "SKIP: $*"
    exit 77
}

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

[[ $(id -u) -eq 0 ]] || skip "starting a private Slurm cluster needs root"
for cmd in slurmctld slurmd munged sbatch srun squeue scontrol sinfo; do
    command -v "$cmd" >/dev/null ||
        skip "$cmd is not installed (bash packaging/install-deps.sh installs slurm-wlm and munge)"
done

# A test that itself runs inside a Slurm job must not talk to that job's cluster.
while read -r var; do
    unset "$var"
done < <(compgen -e | grep '^SLURM_' || true)

# Under /tmp: munged must reach its socket as the munge user, and a socket path must stay short.
work=$(mktemp -d /tmp/gz-slurm-test.XXXXXX)
chmod 755 "$work"
clusters=()

# True while process PID runs (a zombie has exited).
running() { [[ -n $(tr -d '\0' <"/proc/$1/cmdline" 2>/dev/null) ]]; }

# The process ids a cluster's start recorded.
cluster_pids() { [[ -f $1/pids ]] && awk '{ print $2 }' "$1/pids"; }

# Stops the cluster in DIR and checks that every process its start recorded has gone.
stop_cluster() {
    local pids pid
    pids=$(cluster_pids "$1" || true)
    bash "$cluster_script" stop "$1" || return 1
    for pid in $pids; do
        if running "$pid"; then
            echo "FAIL: process $pid of the cluster in $1 still runs after stop" >&2
            return 1
        fi
    done
}

start_cluster() {
    clusters+=("$1")
    bash "$cluster_script" start "$1"
}

finish() {
    local status=$? dir
    for dir in "${clusters[@]}"; do
        stop_cluster "$dir" || status=1
    done
    if ((status == 0)); then
        rm -rf "$work"
    else
        echo "kept for inspection: $work" >&2
    fi
    exit "$status"
}
trap finish EXIT
