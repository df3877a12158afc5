#!/bin/sh
# slurm-local.sh: a real single-node Slurm on this Debian machine, as root,
# for `bbb sweep --on slurm` (its test: BBB_SLURM=1 go test ./cmd/bbb -run TestSweepSlurm).
#
#   sudo scripts/slurm-local.sh         install (apt), configure, start; waits until the node is idle
#   sudo scripts/slurm-local.sh stop    stop the daemons it started
#
# What bbb expects of a cluster is all here: sbatch, squeue and scancel on
# PATH, job arrays, a shared file system (the sweep folder and the bbb
# binary are at the same path on every node), and MUNGE for authentication.
# No cgroups: proctrack/linuxproc, task/none. No accounting (sacct) is
# needed: bbb reads the tasks' states from squeue and its own status files.
set -eu
conf=/etc/slurm/slurm.conf

stop() {
	for f in /run/slurmd.pid /run/slurmctld.pid /run/munge/munged.pid; do
		if [ -s "$f" ]; then kill "$(cat "$f")" 2>/dev/null || true; fi
	done
}

if [ "${1:-}" = stop ]; then
	stop
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "slurm-local.sh: run as root (it installs packages and starts daemons)" >&2
	exit 1
fi
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! [ -x /usr/sbin/munged ]; then
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null
fi

host=$(hostname)
cpus=$(nproc)
# Memory for jobs: what the machine has, less 1 GiB for the system.
mem=$(awk '/MemTotal/ { m = int($2 / 1024) - 1024; print (m > 1000 ? m : 1000) }' /proc/meminfo)
mkdir -p /etc/slurm
cat >"$conf" <<EOF2
ClusterName=local
SlurmctldHost=$host
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF2

# MUNGE: munged refuses to run as root, or with a root-owned log or socket
# folder; without it every Slurm call fails with "Protocol authentication error".
mkdir -p /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm /run/munge /var/log/munge
chown -R slurm /var/lib/slurm /var/log/slurm
[ -s /etc/munge/munge.key ] || { dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null; chmod 400 /etc/munge/munge.key; }
touch /var/log/munge/munged.log
chown munge:munge /run/munge /var/log/munge /var/log/munge/munged.log /var/lib/munge /etc/munge/munge.key
stop
sleep 1
su -s /bin/sh munge -c /usr/sbin/munged
/usr/sbin/slurmctld
/usr/sbin/slurmd

# Wait (up to a minute) for the node to be idle.
i=0
until sinfo -h -o %t 2>/dev/null | grep -q idle; do
	i=$((i + 1))
	if [ "$i" -gt 60 ]; then
		echo "slurm-local.sh: the node is not idle after 60 s: sinfo says $(sinfo -h -o '%t %E' 2>&1); logs in /var/log/slurm" >&2
		exit 1
	fi
	sleep 1
done
echo "slurm-local.sh: partition debug up on $host ($cpus CPUs, $mem MiB); stop with: scripts/slurm-local.sh stop"
