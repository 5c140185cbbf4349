#!/usr/bin/env bash
# Builds the Debian package build/pktloss_<version>_<arch>.deb from this checkout's files (tracked
# and untracked-but-not-ignored; never build output), then runs lintian on it.
#   scripts/package.sh            # as root on Debian 12 (installs the build dependencies)
# PKTLOSS_BUILD_DIR overrides build/. The build happens in a copy under build/package/, so the
# checkout stays clean and the result is what a fresh clone would give.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
out=${PKTLOSS_BUILD_DIR:-build}
version=$(sed -n 's/^project(pktloss VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
deb_version=$(dpkg-parsechangelog -S Version)
if [ "$version" != "$deb_version" ]; then
  echo "package: CMakeLists.txt says $version, debian/changelog $deb_version; add a changelog entry" >&2
  exit 2
fi
revision=$(git describe --always --dirty 2>/dev/null || echo unknown)
arch=$(dpkg --print-architecture)

mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$out/package
src=$stage/pktloss-$version
rm -rf "$stage"
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    xargs -0 cp --parents -a -t "$src"
else  # a tarball: everything but build output
  tar -C . --exclude='./build' --exclude='./build-*' --exclude='./obj-*' -cf - . | tar -C "$src" -xf -
fi

# ccache (when installed) across package builds: debhelper points HOME elsewhere, so name the
# cache; the copy always lives at the same path, which keeps the hashes stable.
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_DIR=${CCACHE_DIR:-$(ccache -k cache_dir)}
  export CCACHE_BASEDIR=$src
fi
export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-} parallel=$(nproc) noautodbgsym"
(cd "$src" && PKTLOSS_GIT_REVISION=$revision dpkg-buildpackage -b -us -uc >"$stage/build.log" 2>&1) || {
  tail -n 40 "$stage/build.log" >&2
  echo "package: dpkg-buildpackage failed; full log: $stage/build.log" >&2
  exit 1
}
deb=pktloss_${version}_${arch}.deb
mv "$stage/$deb" "$out/$deb"
echo "package: $out/$deb"
# Every tag is either fixed or justified in debian/pktloss.lintian-overrides.
if command -v lintian >/dev/null 2>&1; then
  lintian --fail-on error,warning --info "$out/$deb"
else
  echo "package: lintian not installed; not checked" >&2
fi
