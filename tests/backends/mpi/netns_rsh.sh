#!/bin/sh
# An rsh agent for Open MPI that "logs in" to host H, a network namespace made by
# netns_hosts.sh, by running the command there in a UTS namespace of its own whose host
# name is H. Open MPI calls it as `agent [options] HOST COMMAND...`.
while [ $# -gt 0 ]; do
  case "$1" in
    -*) shift ;;
    *) break ;;
  esac
done
host="$1"
shift
exec ip netns exec "$host" unshare --uts /bin/sh -c 'hostname "$0" && exec /bin/sh -c "$1"' \
  "$host" "$*"
