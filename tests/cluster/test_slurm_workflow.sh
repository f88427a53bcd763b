#!/usr/bin/env bash
# End to end on a private one-machine Slurm cluster (packaging/slurm-cluster.sh: two emulated
# nodes): `galaxy-cli workflow slurm` on a small demo data set, submitted with its submit.sh,
# must finish with every job COMPLETED and every output in the workflow folder; a workflow whose
# first job fails must end with its dependents cancelled, not pending forever. Needs root and
# slurm-wlm + munge, else skips (cluster_test.sh). Environment: GZ_CLI (the built galaxy-cli),
# GZ_SOURCE_DIR (the repository).
set -euo pipefail

: "${GZ_CLI:?GZ_CLI must name the built galaxy-cli}"
# shellcheck source-path=SCRIPTDIR source=cluster_test.sh
source "$(dirname "$0")/cluster_test.sh"

# Two training ranks, one on each emulated node, one CPU each; a couple of epochs.
readonly nodes=2
readonly epochs=2
# The jobs of the generated workflow, in submission order.
readonly expected_jobs="label split decode preprocess train evaluate"
# Seconds a workflow may take from submission until its last job has left the queue.
readonly queue_timeout=300

cluster=$work/cluster
start_cluster "$cluster"
# shellcheck disable=SC1091
source "$cluster/env"

# ------------------------------------------------------------------------------- helpers
job_id() { awk -v name="$2" '$1 == name { print $2 }' "$1/jobs.txt"; }

# Waits until none of the workflow's jobs is in the queue any more (pending forever = failure).
wait_for_queue() {
    local ids left start=$SECONDS
    ids=$(awk '{ print $2 }' "$1/jobs.txt" | paste -sd,)
    while :; do
        left=$(squeue -h -j "$ids" -o '%i %j %T %r' 2>&1) || fail "squeue failed: $left"
        [[ -z $left ]] && return 0
        ((SECONDS - start < queue_timeout)) ||
            fail "jobs still in the queue after ${queue_timeout} s:"$'\n'"$left"
        sleep 1
    done
}

# "name JobId JobState Reason ExitCode NodeList" for every job of a workflow, one line a task of
# an array. Without accounting, slurmctld keeps finished jobs for MinJobAge (10 minutes here).
job_states() {
    local name id record field task
    while read -r name id; do
        while read -r record; do
            [[ -n $record ]] || continue
            local -A f=()
            for field in $record; do
                [[ $field == *=* ]] && f[${field%%=*}]=${field#*=}
            done
            task=${f[JobId]}
            [[ -n ${f[ArrayTaskId]:-} ]] && task=${f[ArrayJobId]}_${f[ArrayTaskId]}
            echo "$name $task ${f[JobState]}" \
                "${f[Reason]} ${f[ExitCode]} ${f[NodeList]}"
        done < <(scontrol -o show job "$id" || fail "scontrol knows no job $id")
    done <"$1/jobs.txt"
}

data_listing() { (cd "$1" && find . -printf '%p %s %T@\n' | sort); }

# Data lines of a CSV (its header excluded).
rows() { tail -n +2 "$1" | grep -c .; }

# ------------------------------------------------- case 1: the whole workflow succeeds
"$GZ_CLI" demo --out "$work/data" --count 300 >/dev/null
before=$(data_listing "$work/data")
wf=$work/wf
"$GZ_CLI" workflow slurm --data "$work/data" --out "$wf" --nodes "$nodes" --tasks-per-node 1 \
    --cpus-per-task 1 --shards 2 --model compact --epochs "$epochs" --batch 32
bash "$wf/submit.sh"
[[ $(awk '{ print $1 }' "$wf/jobs.txt" | paste -sd' ') == "$expected_jobs" ]] ||
    fail "jobs.txt does not list the jobs $expected_jobs: $(cat "$wf/jobs.txt")"
wait_for_queue "$wf"
states=$(job_states "$wf")
echo "$states"
awk '$3 != "COMPLETED" || $5 != "0:0" { bad = 1 } END { exit bad }' <<<"$states" ||
    fail "not every job COMPLETED with exit code 0"
[[ $(grep -c '^decode ' <<<"$states") -eq 2 ]] || fail "the decode array did not run 2 tasks"
[[ $(awk '$1 == "train" { print $6 }' <<<"$states") == "n[1-2]" ]] ||
    fail "the training job did not run on both nodes"

# Labels and split.
[[ $(head -n 1 "$wf/labels.csv") == "GalaxyID,label,morphology" ]] || fail "labels.csv header"
(($(rows "$wf/labels.csv") == 300)) || fail "labels.csv has not the 300 galaxies"
labeled=$(awk -F, 'NR > 1 && $2 != -1' "$wf/labels.csv" | wc -l)
[[ $(head -n 1 "$wf/split.csv") == "GalaxyID,label,split" ]] || fail "split.csv header"
(($(rows "$wf/split.csv") == 300)) || fail "split.csv does not hold the 300 galaxies"
(($(awk -F, 'NR > 1 && $2 != -1' "$wf/split.csv" | wc -l) == labeled)) ||
    fail "split.csv does not hold the $labeled labeled galaxies"
for subset in train val test; do
    grep -q ",$subset\$" "$wf/split.csv" || fail "split.csv has no $subset galaxy"
done

# The decoded cache: assembled from the array's parts (none left), then reused by the training.
pre=$wf/preprocess/preprocess.json
grep -q '"origin": "assembled"' "$pre" ||
    fail "preprocess.json: the cache was not assembled from the shards' parts"
grep -q '"images": 300,' "$pre" ||
    fail "preprocess.json: the cache does not hold the 300 galaxies of the split"
cache=$(sed -n 's/^ *"file": "\(.*\.gzcache\)",\{0,1\}$/\1/p' "$pre")
[[ $cache == "$wf/workspace/cache/"* && -s $cache ]] || fail "no decoded cache in $wf/workspace"
[[ -z $(find "$wf/workspace/cache" -name '*.gzpart') ]] || fail "shard parts left in the cache"

# The run folder, written by rank 0 of 2.
run=$wf/run
grep -q '"world_size": 2' "$run/config.json" || fail "config.json does not record 2 ranks"
[[ $(cut -d, -f1 "$run/metrics.csv" | paste -sd' ') == "epoch $(seq -s' ' 1 "$epochs")" ]] ||
    fail "metrics.csv does not hold epochs 1..$epochs: $(cat "$run/metrics.csv")"
for f in checkpoints/last.pt checkpoints/best.pt timing.csv log.txt predictions.csv confusion.json; do
    [[ -s $run/$f ]] || fail "the run folder has no $f"
done
grep -qF "reused image cache $cache:" "$run/log.txt" ||
    fail "the training did not reuse the cache the array built"

# The evaluation: every labeled test galaxy once, and a confusion matrix summing to their count.
test_ids=$(awk -F, '$3 == "test" && $2 != -1 { print $1 }' "$wf/split.csv" | sort)
[[ $(tail -n +2 "$wf/evaluation/predictions.csv" | cut -d, -f1 | sort) == "$test_ids" ]] ||
    fail "evaluation/predictions.csv does not hold exactly the test galaxies"
confusion_sum=$(($(grep -o '"confusion":\[\[[0-9,]*\]\(,\[[0-9,]*\]\)*\]' \
    "$wf/evaluation/confusion.json" | grep -o '[0-9]\+' | paste -sd+)))
((confusion_sum == $(wc -l <<<"$test_ids"))) ||
    fail "evaluation/confusion.json counts $confusion_sum galaxies, not the test split's"

# Logs: one per job (two for the array), none with an error.
for name in $expected_jobs; do
    id=$(job_id "$wf" "$name")
    if [[ $name == decode ]]; then
        logs=("$wf/logs/decode-${id}_0.out" "$wf/logs/decode-${id}_1.out")
    else
        logs=("$wf/logs/$name-$id.out")
    fi
    for log in "${logs[@]}"; do
        [[ -s $log ]] || fail "no log $log"
        if grep -iE 'error|fatal|exception|terminate' "$log"; then
            fail "$log reports an error"
        fi
    done
done
[[ $before == "$(data_listing "$work/data")" ]] || fail "the workflow wrote into the data folder"
echo "case 1: the workflow ran on 2 nodes, every job COMPLETED, every output checked"

# ------------------------------ case 2: a failed job cancels its dependents, at once
"$GZ_CLI" demo --out "$work/broken" --count 30 >/dev/null
wf2=$work/wf-broken
"$GZ_CLI" workflow slurm --data "$work/broken" --out "$wf2" --nodes "$nodes" --shards 2 \
    --model compact --epochs 1
# The catalog goes bad after the workflow was written: line 5 gets a vote fraction of 7.
sed -i '5s/,0\.[0-9]*/,7/' "$work/broken/training_solutions_rev1.csv"
bash "$wf2/submit.sh"
wait_for_queue "$wf2"
states=$(job_states "$wf2")
echo "$states"
awk '$1 == "label" && $3 == "FAILED" { ok = 1 } END { exit !ok }' <<<"$states" ||
    fail "the label job did not fail"
awk '$1 != "label" && ($3 != "CANCELLED" || $4 != "DependencyNeverSatisfied") { bad = 1 }
     END { exit bad }' <<<"$states" || fail "the dependents of the failed job were not cancelled"
grep -q 'training_solutions_rev1.csv:5:' "$wf2/logs/label-$(job_id "$wf2" label).out" ||
    fail "the label job's log does not name the bad line"
[[ ! -e $wf2/split.csv && ! -e $wf2/run ]] || fail "a cancelled job wrote its output"
echo "case 2: the failed label job cancelled all its dependents"
