#!/usr/bin/env bash
# packaging/slurm-cluster.sh as its users rely on it: two clusters started at the same time get
# their own names and ports and run jobs on both emulated nodes, each seeing only its own jobs;
# stop cancels its cluster's jobs and ends exactly its own processes, leaving the other cluster
# working; start refuses a folder holding something else or a running cluster; a stopped
# cluster's folder starts again. Needs root and slurm-wlm + munge, else skips (cluster_test.sh).
# Environment: GZ_SOURCE_DIR (the repository).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=cluster_test.sh
source "$(dirname "$0")/cluster_test.sh"

a=$work/a
b=$work/b
clusters+=("$a" "$b")
bash "$cluster_script" start "$a" >"$work/start-a.log" 2>&1 &
start_a=$!
bash "$cluster_script" start "$b" >"$work/start-b.log" 2>&1 &
start_b=$!
wait "$start_a" || fail "starting cluster a beside b failed: $(cat "$work/start-a.log")"
wait "$start_b" || fail "starting cluster b beside a failed: $(cat "$work/start-b.log")"

conf_value() { sed -n "s/^$2=//p" "$1/slurm.conf"; }
[[ $(conf_value "$a" ClusterName) != "$(conf_value "$b" ClusterName)" ]] ||
    fail "both clusters are named $(conf_value "$a" ClusterName)"
ports_a=$(grep -o 'Port=[0-9]*' "$a/slurm.conf" | sort)
ports_b=$(grep -o 'Port=[0-9]*' "$b/slurm.conf" | sort)
[[ -z $(comm -12 <(echo "$ports_a") <(echo "$ports_b")) ]] ||
    fail "the clusters share ports: $ports_a / $ports_b"

# in_cluster DIR COMMAND...: runs a Slurm command against the cluster in DIR.
in_cluster() {
    local dir=$1
    shift
    SLURM_CONF=$dir/slurm.conf "$@"
}

for dir in "$a" "$b"; do
    [[ $(in_cluster "$dir" sinfo -h -t idle -o %D) == 2 ]] || fail "$dir: the nodes are not idle"
    # One task on each node; their ranks and node names as Slurm hands them to a program.
    # shellcheck disable=SC2016
    placed=$(in_cluster "$dir" srun --nodes 2 --ntasks 2 \
        bash -c 'echo "$SLURM_PROCID $SLURMD_NODENAME"' | sort | paste -sd,)
    [[ $placed == "0 n1,1 n2" ]] || fail "$dir: srun placed the two tasks as '$placed'"
done

# A job of a, held so that it stays pending: b does not see it, and a's stop cancels it.
held=$(in_cluster "$a" sbatch --parsable --hold --output=/dev/null --wrap true)
[[ $(in_cluster "$a" squeue -h -o %i) == "$held" ]] || fail "cluster a does not list its job"
[[ -z $(in_cluster "$b" squeue -h -o %i) ]] || fail "cluster b lists a job of cluster a"

# start refuses a running cluster's folder and a folder that holds anything else.
if bash "$cluster_script" start "$b" 2>"$work/refused.log"; then
    fail "start accepted the folder of a running cluster"
fi
grep -q 'stop it first' "$work/refused.log" || fail "refusal unclear: $(cat "$work/refused.log")"
mkdir "$work/other"
touch "$work/other/notes.txt"
if bash "$cluster_script" start "$work/other" 2>"$work/refused.log"; then
    fail "start accepted a folder holding other files"
fi
grep -q 'not empty' "$work/refused.log" || fail "refusal unclear: $(cat "$work/refused.log")"
[[ $(ls -A "$work/other") == notes.txt ]] || fail "a refused start changed the folder"

pids_b=$(cluster_pids "$b")
stop_cluster "$a" || fail "stopping cluster a"
for pid in $pids_b; do
    running "$pid" || fail "stopping cluster a ended process $pid of cluster b"
done
[[ $(in_cluster "$b" srun --nodes 2 --ntasks 2 true && echo ok) == ok ]] ||
    fail "cluster b does not run jobs after a stopped"

# A stopped cluster's folder starts again (with new ports); stop twice is harmless.
bash "$cluster_script" start "$a"
[[ $(in_cluster "$a" squeue -h -o %i) == "" ]] || fail "the restarted cluster a kept old jobs"
stop_cluster "$a" || fail "stopping the restarted cluster a"
bash "$cluster_script" stop "$a" | grep -q 'nothing to stop' || fail "a second stop is not harmless"
echo "two clusters side by side, each stopped alone; refusals and restart as documented"
