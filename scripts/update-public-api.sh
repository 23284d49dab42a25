#!/usr/bin/env bash
# Regenerates the public API baseline of src/NoisyRnn (PublicAPI.Shipped.txt / PublicAPI.Unshipped.txt)
# from the compiler's own diagnostics (Microsoft.CodeAnalysis.PublicApiAnalyzers):
#   RS0016  public symbol not declared in either file  -> added to PublicAPI.Unshipped.txt
#   RS0017  declared symbol that no longer exists       -> removed from PublicAPI.Unshipped.txt;
#           if it is in PublicAPI.Shipped.txt it is a breaking change: reported, and removed only with
#           --allow-breaking
# Usage:
#   scripts/update-public-api.sh                   # after adding or changing public API (e.g. after a merge)
#   scripts/update-public-api.sh --allow-breaking  # also drop shipped entries whose symbols are gone
#   scripts/update-public-api.sh --ship            # at a release: move every Unshipped entry into Shipped
#   scripts/update-public-api.sh --check           # change nothing; exit 1 if the baseline is out of date
set -euo pipefail
export LC_ALL=C  # stable sort order of the baseline files
cd "$(dirname "$0")/.."

project=src/NoisyRnn/NoisyRnn.csproj
dir=$(dirname "$project")
shipped=$dir/PublicAPI.Shipped.txt
unshipped=$dir/PublicAPI.Unshipped.txt
allow_breaking=0; ship=0; check=0
for arg in "$@"; do
  case "$arg" in
    --allow-breaking) allow_breaking=1 ;;
    --ship) ship=1 ;;
    --check) check=1 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

# Entries of a baseline file without its '#nullable enable' header and blank lines.
entries() { grep -v -e '^#nullable enable$' -e '^[[:space:]]*$' "$1" || true; }
write_file() { { echo '#nullable enable'; sort -u; } > "$1.new" && mv "$1.new" "$1"; }  # never truncate a file still being read

if [ "$ship" -eq 1 ]; then
  { entries "$shipped"; entries "$unshipped"; } | write_file "$shipped"
  echo '#nullable enable' > "$unshipped"
  echo "Moved the unshipped API into $shipped."
  exit 0
fi

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# Analyzers only report on a real compile: --no-incremental. Warnings stay warnings here so that every
# RS0016/RS0017 is listed; other errors (code that does not compile) stop the script.
build() {
  dotnet build "$project" -c Release --no-incremental -nologo -clp:NoSummary \
    -p:TreatWarningsAsErrors=false >"$tmp/build.log" 2>&1 || true
  if grep -E ': error ' "$tmp/build.log" | grep -vqE 'error RS00(16|17)'; then
    grep -E ': error ' "$tmp/build.log" | sort -u >&2
    echo "error: the library does not compile; fix that first." >&2
    exit 1
  fi
}
# The symbol named in the diagnostics of one rule, one per line (the message quotes the API-file line).
symbols() { grep -E "(warning|error) $1:" "$tmp/build.log" | sed -nE "s/.*: (warning|error) $1: Symbol '(.*)' is (not part|part) of the declared .*/\2/p" | sort -u || true; }

build
symbols RS0016 > "$tmp/added"
symbols RS0017 > "$tmp/removed"

if [ "$check" -eq 1 ]; then
  if [ -s "$tmp/added" ] || [ -s "$tmp/removed" ]; then
    echo "Public API baseline is out of date:"; sed 's/^/  + /' "$tmp/added"; sed 's/^/  - /' "$tmp/removed"
    echo "Run scripts/update-public-api.sh to update it."; exit 1
  fi
  echo "Public API baseline is up to date."; exit 0
fi

# Shipped entries that vanished are breaking changes: only with --allow-breaking.
entries "$shipped" | sort -u > "$tmp/shipped"
comm -12 "$tmp/shipped" "$tmp/removed" > "$tmp/breaking"
if [ -s "$tmp/breaking" ]; then
  echo "Shipped API no longer present (a breaking change):"; sed 's/^/  - /' "$tmp/breaking"
  if [ "$allow_breaking" -eq 1 ]; then
    comm -23 "$tmp/shipped" "$tmp/breaking" | write_file "$shipped"
  else
    echo "error: rerun with --allow-breaking to remove them from $shipped (and note it in CHANGELOG.md)." >&2
    exit 1
  fi
fi

{ entries "$unshipped" | sort -u | comm -23 - "$tmp/removed"; cat "$tmp/added"; } | write_file "$unshipped"
echo "$unshipped: $(wc -l < "$tmp/added") entries added, $(wc -l < "$tmp/removed") removed."

# Verify: a normal build must now be free of RS0016/RS0017.
build
if [ -n "$(symbols RS0016)$(symbols RS0017)" ]; then
  echo "error: the baseline still disagrees with the compiler:" >&2
  grep -E 'RS00(16|17)' "$tmp/build.log" | sort -u >&2
  exit 1
fi
echo "Public API baseline updated; the library builds without RS0016/RS0017."
