#!/usr/bin/env bash
# Prepares the TorchSharp comparison of `vit-table --torchsharp` (bench only; the library, its tests and CI never use
# TorchSharp). Idempotent: run it again after pulling; it rebuilds only what changed.
#
#  1. Restores and builds bench/TaskVectors.Bench.TorchSharp (TorchSharp-cpu 0.107.0 from NuGet: ~600 MB of libtorch
#     2.10 natives into ~/.nuget/packages, ~1 GB in the project's bin/ folder).
#  2. TorchSharp's libLibTorchSharp.so is built with GCC 13+ and asks libstdc++.so.6 for version GLIBCXX_3.4.32, which
#     older systems' libstdc++ lacks (Debian 12: GCC 12, GLIBCXX_3.4.30), so dlopen fails with
#     "version `GLIBCXX_3.4.32' not found". When that is so, and the only symbol it needs under a missing version is
#     std::ios_base_library_init() (GCC 13's <iostream> references it instead of placing a static ios_base::Init in
#     every file; in GCC 13's libstdc++ it is an empty function), this script builds a shim:
#       .runtime/libstdc++.so.6 — soname libstdc++.so.6, defines an empty std::ios_base_library_init() under
#       GLIBCXX_3.4.32 and (empty) every version node the system's libstdc++ defines, so the loader's version check
#       for "libstdc++.so.6" passes against the shim; every real symbol still resolves to the system's libstdc++,
#       preloaded right after it. The standard streams are initialized as before, by the static ios_base::Init
#       objects of libc10.so and libtorch_cpu.so (built with an older GCC), which load before libLibTorchSharp.so.
#     run.sh preloads the pair for the TorchSharp child only. No third-party file is modified.
#     (Where a newer GCC's libstdc++ is installed, no shim is built and run.sh starts the child plainly.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
runtime="$here/.runtime"
mkdir -p "$runtime"

command -v dotnet >/dev/null || { echo "setup.sh: the .NET SDK (dotnet) is required" >&2; exit 1; }
echo "== building bench/TaskVectors.Bench.TorchSharp (Release)"
dotnet build "$root/bench/TaskVectors.Bench.TorchSharp" -c Release -nologo -v q

out="$root/bench/TaskVectors.Bench.TorchSharp/bin/Release/net10.0"
wrapper="$out/runtimes/linux-x64/native/libLibTorchSharp.so"
[ -f "$wrapper" ] || { echo "setup.sh: $wrapper missing after the build" >&2; exit 1; }

command -v objdump >/dev/null || { echo "setup.sh: objdump is required (apt-get install binutils)" >&2; exit 1; }
ldconfig=$(command -v ldconfig || echo /sbin/ldconfig) # /sbin is not on a normal user's PATH on Debian
libstdcxx=$("$ldconfig" -p | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}')
[ -n "$libstdcxx" ] || { echo "setup.sh: no x86-64 libstdc++.so.6 in the loader cache" >&2; exit 1; }
libstdcxx=$(readlink -f "$libstdcxx")
have=$(objdump -p "$libstdcxx" | sed -n '/^Version definitions/,/^Version References/p' | awk '$1 ~ /^[0-9]+$/ && $2 != "0x01" {print $4}' | sort -u)

# Versioned libstdc++ imports of the TorchSharp wrapper that the system's libstdc++ does not define.
missing=$(objdump -T "$wrapper" | awk '$0 ~ /\*UND\*/ && match($0, /\((GLIBCXX|CXXABI)_[0-9.]+\)/) {v = substr($0, RSTART + 1, RLENGTH - 2); print v, $NF}' |
  while read -r version symbol; do grep -qx "$version" <<<"$have" || echo "$version $symbol"; done | sort -u)
rm -f "$runtime/preload"
if [ -z "$missing" ]; then
  echo "== $libstdcxx defines every version TorchSharp needs: no shim"
  exit 0
fi
echo "== missing from $libstdcxx:"; sed 's/^/   /' <<<"$missing"
if [ "$(awk '{print $2}' <<<"$missing" | sort -u)" != "_ZSt21ios_base_library_initv" ]; then
  echo "setup.sh: TorchSharp needs more than std::ios_base_library_init() from a newer libstdc++; this shim cannot help." >&2
  echo "          Run the child under a newer distribution's loader and libc/libstdc++ instead (see README)." >&2
  exit 1
fi
command -v g++ >/dev/null || { echo "setup.sh: g++ is required to build the shim (apt-get install g++)" >&2; exit 1; }

echo "== building the shim $runtime/libstdc++.so.6"
{
  for v in $have; do echo "$v { };"; done
  for v in $(awk '{print $1}' <<<"$missing" | sort -u); do
    grep -qx "$v" <<<"$have" || echo "$v { global: _ZSt21ios_base_library_initv; local: *; };"
  done
} > "$runtime/shim.map"
printf '%s\n' '// An empty std::ios_base_library_init(), as in GCC 13'"'"'s libstdc++ (see tools/torchsharp-bench/setup.sh).' \
  'namespace std { void ios_base_library_init() {} }' > "$runtime/shim.cc"
g++ -O2 -shared -fPIC -nostdlib -Wl,-soname,libstdc++.so.6 -Wl,--version-script="$runtime/shim.map" \
  -o "$runtime/libstdc++.so.6" "$runtime/shim.cc"
echo "$runtime/libstdc++.so.6:$libstdcxx" > "$runtime/preload"

echo "== checking that TorchSharp loads"
echo '{"threads":1,"shapes":[]}' | "$here/run.sh" | head -1
