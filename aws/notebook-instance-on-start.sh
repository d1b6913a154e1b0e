#!/bin/bash
# Lifecycle configuration for a SageMaker notebook instance: paste it as the "Start notebook"
# script. A notebook instance keeps only ~/SageMaker across restarts, so the course's packages
# are reinstalled into the conda_python3 kernel's environment every time the instance starts.
#
# `.[aws]` installs the course with version ranges that the instance's own packages already
# satisfy (SageMaker SDK v2, numpy, pandas, ...): nothing the instance ships is replaced.
# Start scripts must finish within 5 minutes, so pip runs in the background; its log is
# ~/SageMaker/ml-course-install.log.
#
# Settings (environment variables, for testing or another layout):
#   COURSE_DIR   the clone of the course           (default /home/ec2-user/SageMaker/ml-course)
#   CONDA_ENV    the kernel environment to install  (default python3, the conda_python3 kernel)
#   ACTIVATE     conda's activate script            (default /home/ec2-user/anaconda3/bin/activate)
#   RUN_AS       the user that owns the kernels     (default ec2-user; empty: the current user)
#   FOREGROUND   1 to wait for pip instead of running it in the background
set -euo pipefail

COURSE_DIR="${COURSE_DIR:-/home/ec2-user/SageMaker/ml-course}"
CONDA_ENV="${CONDA_ENV:-python3}"
ACTIVATE="${ACTIVATE:-/home/ec2-user/anaconda3/bin/activate}"
RUN_AS="${RUN_AS-ec2-user}"
LOG="${LOG:-$(dirname "$COURSE_DIR")/ml-course-install.log}"

if [ ! -f "$COURSE_DIR/pyproject.toml" ]; then
    echo "No course at $COURSE_DIR: clone it there first (see the README), or set COURSE_DIR." >&2
    exit 0  # never keep the instance from starting
fi

install="source '$ACTIVATE' '$CONDA_ENV' && pip install --quiet -e '$COURSE_DIR[aws]'"
if [ -n "$RUN_AS" ]; then
    command=(sudo -u "$RUN_AS" -i bash -c "$install")
else
    command=(bash -c "$install")
fi

if [ "${FOREGROUND:-0}" = 1 ]; then
    "${command[@]}"
else
    nohup "${command[@]}" >"$LOG" 2>&1 &
    echo "Installing the course in the background; log: $LOG"
fi
