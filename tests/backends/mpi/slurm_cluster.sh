#!/bin/sh
# A throwaway Slurm cluster on this machine for the MPI tests, as root: one slurmctld
# and N slurmd (nodes cn1..cnN, all on 127.0.0.1, each with a port, spool and TmpFS of
# its own, so the PMIx plugin's folders of the nodes do not collide), auth/none, every
# file under DIR. Every command (srun, sinfo) must see SLURM_CONF=DIR/slurm.conf.
#   slurm_cluster.sh up DIR PORT N   write DIR/slurm.conf, start the daemons (ports PORT
#                                    to PORT+N), wait until the N nodes are idle (15 s);
#                                    on failure print why, stop everything, exit 1
#   slurm_cluster.sh down DIR        stop the daemons and every process left that was
#                                    started with this DIR's SLURM_CONF (job steps)
set -u
action=$1
dir=$2
export SLURM_CONF="$dir/slurm.conf"

# Every process of this cluster: its SLURM_CONF is in the environment.
ours() {
  for environ in /proc/[0-9]*/environ; do
    pid=${environ#/proc/}
    pid=${pid%/environ}
    [ "$pid" = "$$" ] && continue
    if { tr '\0' '\n' <"$environ"; } 2>/dev/null | grep -qx "SLURM_CONF=$SLURM_CONF"; then
      echo "$pid"
    fi
  done
}

down() {
  scontrol shutdown >/dev/null 2>&1
  for i in $(seq 50); do
    [ -z "$(ours)" ] && return 0
    sleep 0.1
  done
  pids=$(ours)
  [ -n "$pids" ] && kill -9 $pids 2>/dev/null
  return 0
}

case "$action" in
  up)
    port=$3
    n=$4
    mkdir -p "$dir/state"
    host=$(hostname)
    cat >"$SLURM_CONF" <<CONF
ClusterName=curatetest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/none
CredType=cred/none
MpiDefault=pmix
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/linear
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool-%n
TmpFS=$dir/tmp-%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd-%n.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd-%n.log
ReturnToService=2
InactiveLimit=0
KillWait=2
MinJobAge=2
CONF
    nodes=""
    for i in $(seq "$n"); do
      echo "NodeName=cn$i NodeHostname=$host NodeAddr=127.0.0.1 Port=$((port + i)) CPUs=2 State=UNKNOWN" \
        >>"$SLURM_CONF"
      mkdir -p "$dir/spool-cn$i" "$dir/tmp-cn$i"
    done
    echo "PartitionName=test Nodes=cn[1-$n] Default=YES MaxTime=INFINITE State=UP" >>"$SLURM_CONF"
    if ! slurmctld -i >"$dir/start.log" 2>&1; then
      echo "slurmctld did not start: $(tail -3 "$dir/start.log" "$dir/slurmctld.log" 2>/dev/null)"
      down
      exit 1
    fi
    for i in $(seq "$n"); do
      if ! slurmd -N "cn$i" >>"$dir/start.log" 2>&1; then
        echo "slurmd cn$i did not start: $(tail -3 "$dir/start.log" "$dir/slurmd-cn$i.log" 2>/dev/null)"
        down
        exit 1
      fi
    done
    for i in $(seq 150); do
      idle=$(sinfo -h -o '%t %D' 2>/dev/null | awk '$1 == "idle" { n += $2 } END { print n + 0 }')
      [ "$idle" = "$n" ] && exit 0
      sleep 0.1
    done
    echo "the $n nodes were not idle after 15 s: $(sinfo 2>&1 | tail -3); $(tail -3 "$dir/slurmctld.log")"
    down
    exit 1
    ;;
  down)
    down
    ;;
  *)
    echo "usage: $0 up DIR PORT N | down DIR" >&2
    exit 2
    ;;
esac
