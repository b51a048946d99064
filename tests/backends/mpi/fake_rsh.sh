#!/bin/sh
# An rsh agent for Open MPI that "logs in" to a made-up host by running the command on
# this machine, with CURATE_NODE_NAME naming the host: fake multi-node runs on one
# machine, without root. Use: OMPI_MCA_plm_rsh_agent=/path/fake_rsh.sh with a hostfile
# of made-up names. Open MPI calls it as `agent [options] HOST COMMAND...`.
while [ $# -gt 0 ]; do
  case "$1" in
    -*) shift ;;
    *) break ;;
  esac
done
host="$1"
shift
CURATE_NODE_NAME="$host"
export CURATE_NODE_NAME
# Daemons of one machine would share Open MPI's session folder (named after the real
# host name): give each made-up host of each job (mpirun is our parent) its own.
OMPI_MCA_orte_tmpdir_base="${TMPDIR:-/tmp}/curate-fake-host-$PPID-$host"
export OMPI_MCA_orte_tmpdir_base
mkdir -p "$OMPI_MCA_orte_tmpdir_base"
/bin/sh -c "$*"
status=$?
rm -rf "$OMPI_MCA_orte_tmpdir_base"
exit $status
