#!/usr/bin/env bash
# Packs the NoisyRnn library with a version used nowhere else, restores this consumer project against the
# local folder feed ./feed (no ProjectReference, not in NoisyRnn.sln) and runs its xunit tests.
# Extra arguments go to `dotnet test`. Exit code: that of `dotnet test`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# The version in Directory.Build.props, plus a unique prerelease suffix: the restore cannot be served a
# stale copy from the package cache or a package of the same version from another source.
base=$(dotnet msbuild "$root/src/NoisyRnn/NoisyRnn.csproj" -getProperty:Version)
version="$base-consumer.$(date -u +%Y%m%d%H%M%S).$$"
cache=${NUGET_PACKAGES:-$HOME/.nuget/packages}
cleanup() { rm -rf "$cache/noisyrnn/$version"; }  # this run's copy only: the cache does not grow per run
trap cleanup EXIT

rm -rf "$here/feed" "$here/bin" "$here/obj"
mkdir -p "$here/feed"
echo "Packing NoisyRnn $version into $here/feed"
dotnet pack "$root/src/NoisyRnn/NoisyRnn.csproj" -c Release -o "$here/feed" -p:PackageVersion="$version" -nologo -v:q

dotnet restore "$here/PackageConsumer.csproj" -p:NoisyRnnPackageVersion="$version" -nologo -v:q
# Where did NoisyRnn come from? It must be the local feed.
source=$(sed -nE 's/.*"source": *"([^"]*)".*/\1/p' "$cache/noisyrnn/$version/.nupkg.metadata" 2>/dev/null || true)
if [ "${source%/}" != "$here/feed" ]; then
  echo "error: NoisyRnn $version was restored from '$source', not from $here/feed" >&2
  exit 1
fi
echo "Restored NoisyRnn $version from $source"

dotnet test "$here/PackageConsumer.csproj" -c Release --no-restore -p:NoisyRnnPackageVersion="$version" "$@"
