#!/bin/sh
# Three (or N) test hosts on this machine, each a network namespace with an address of
# its own on a bridge that this script makes, for real multi-host Open MPI runs as root:
#   netns_hosts.sh up NAME SUBNET N   make namespaces NAME1..NAMEN (10.251.SUBNET.1..N/24)
#                                     and bridge NAME-br (10.251.SUBNET.254, where mpirun
#                                     runs: the root namespace)
#   netns_hosts.sh down NAME N        kill every process in them, delete them and the bridge
# Only addresses the script makes are used. `up` undoes itself when a step fails.
# netns_rsh.sh (beside this file) is the rsh agent that enters a host: namespace NAMEk,
# UTS namespace with host name NAMEk.
set -u
action=$1
name=$2

down() {
  n=$1
  for i in $(seq "$n"); do
    ns="$name$i"
    if ip netns list | grep -qw "$ns"; then
      pids=$(ip netns pids "$ns" 2>/dev/null)
      [ -n "$pids" ] && kill -9 $pids 2>/dev/null
      ip netns del "$ns" 2>/dev/null
    fi
    ip link del "${name}v$i" 2>/dev/null
  done
  ip link del "${name}br" 2>/dev/null
  return 0
}

case "$action" in
  up)
    subnet=$3
    n=$4
    set -e
    trap 'down "$n"; exit 1' EXIT
    ip link add "${name}br" type bridge
    ip addr add "10.251.$subnet.254/24" dev "${name}br"
    ip link set "${name}br" up
    for i in $(seq "$n"); do
      ns="$name$i"
      ip netns add "$ns"
      ip link add "${name}v$i" type veth peer name eth0 netns "$ns"
      ip link set "${name}v$i" master "${name}br" up
      ip -n "$ns" addr add "10.251.$subnet.$i/24" dev eth0
      ip -n "$ns" link set eth0 up
      ip -n "$ns" link set lo up
    done
    trap - EXIT
    ;;
  down)
    down "$3"
    ;;
  *)
    echo "usage: $0 up NAME SUBNET N | down NAME N" >&2
    exit 2
    ;;
esac
