#!/bin/bash
# package.sh BUILD TESTDATA - the Debian package, installed for real on this
# machine (root and apt-get needed, else skipped with 77; ctest runs it alone:
# RESOURCE_LOCK, since it writes to /usr):
#   1. cpack -G DEB makes dcmguard_<version>_amd64.deb; lintian: no error.
#   2. apt-get install ./dcmguard_*.deb; the installed dcmguard protects and
#      restores byte for byte; man dcmguard shows the page; no RPATH and no
#      build-tree path in the installed programs; a program built with
#      pkg-config against the installed library runs.
#   3. Orthanc (inside unshare -rn) with the installed plugin from a config in
#      a temporary folder: an instance sent with storescu is stored protected.
#   4. Enabled (a link in /usr/share/orthanc/plugins): an upgrade (the same
#      files packaged as a later version) keeps it enabled and says that
#      Orthanc needs a restart; removal is refused; disabled: purge leaves
#      none of the package's files.
# The package is purged and the link removed on exit, also on failure.
HERE=$(dirname "$(realpath "$0")")
PLUGIN=/usr/lib/orthanc/libdcmguard_orthanc.so
LINK=/usr/share/orthanc/plugins/libdcmguard_orthanc.so

if [ "${1:-}" = --orthanc ]; then # part 3, inside the private network namespace
    shift
    source "$HERE/orthanc/lib.sh"
    gateway_test_begin /usr/bin/dcmguard "$PLUGIN" "$1"
    cat >"$TMP/dcmguard.json" <<JSON
, "Plugins": ["$PLUGIN"], "DcmGuard": { "MasterKey": "$KEY", "KeyStore": "$TMP/keys.db" }
JSON
    orthanc_start gw 8042 4242 GATEWAY "$(cat "$TMP/dcmguard.json")" ||
        { fail "Orthanc did not start with the installed plugin: $(tail -3 "$TMP/gw/log")"; summary; exit 1; }
    grep -q "protecting every received instance" "$TMP/gw/log" || fail "the plugin did not say it protects"
    cstore 4242 GATEWAY "$TMP/status" "$DATA/files/pydicom_CT_small.dcm"
    expect "the gateway accepted the instance" grep -q '^Success ' "$TMP/status"
    id=$(api 8042 /instances | jq -r '.[0]')
    api 8042 "/instances/$id/file" -o "$TMP/stored.dcm"
    expect "Orthanc stored it protected" sh -c "dcmguard inspect '$TMP/stored.dcm' | grep -q '^protected: yes'"
    # REST upload: Orthanc hands the plugin the very bytes sent, so restore gives them back.
    api 8042 "/instances/$id" -X DELETE >/dev/null
    id=$(api 8042 /instances -X POST --data-binary @"$DATA/files/pydicom_CT_small.dcm" | jq -r .ID)
    api 8042 "/instances/$id/file" -o "$TMP/stored.dcm"
    dcmguard restore -k "$KEY" -s "$TMP/keys.db" -o "$TMP/back.dcm" "$TMP/stored.dcm" >/dev/null
    expect "the stored instance restores to the sent one" [ "$(sha "$TMP/back.dcm")" = "$(sha "$DATA/files/pydicom_CT_small.dcm")" ]
    summary
    exit
fi

source "$HERE/lib.sh"
BUILD=$(realpath "$1") DATA=$(realpath "$2")
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || ! command -v cpack >/dev/null ||
    ! command -v lintian >/dev/null; then
    echo "SKIP: needs root, apt-get, cpack and lintian (installs the package on this machine)"
    exit 77
fi
if dpkg -s dcmguard >/dev/null 2>&1; then
    echo "SKIP: a dcmguard package is already installed here; not touching it"
    exit 77
fi
APT=(apt-get -y -q -o DPkg::Lock::Timeout=300)
cleanup() {
    [ -L "$LINK" ] && [ "$(readlink -f "$LINK")" = "$PLUGIN" ] && rm -f "$LINK"
    dpkg -s dcmguard >/dev/null 2>&1 && "${APT[@]}" purge dcmguard >/dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT

echo "== $SECONDS s: 1. cpack and lintian"
(cd "$TMP" && cpack -G DEB -B "$TMP/pkg" --config "$BUILD/CPackConfig.cmake" >"$TMP/cpack.log" 2>&1)
VERSION=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")/\1/p' "$BUILD/CPackConfig.cmake")
DEB=$TMP/pkg/dcmguard_${VERSION}_amd64.deb
[ -f "$DEB" ] || { fail "cpack made no $DEB: $(tail -3 "$TMP/cpack.log")"; summary; exit 1; }
ok
dpkg-deb -f "$DEB" Depends | grep -q 'libssl3' || fail "Depends not computed from the shared libraries"
lintian "$DEB" >"$TMP/lintian" 2>&1
grep '^E:' "$TMP/lintian" && fail "lintian reports errors"
sed -n 's/^W: dcmguard: /lintian warning: /p' "$TMP/lintian"

echo "== $SECONDS s: 2. apt-get install, the installed command, library, man page"
"${APT[@]}" install "$DEB" >"$TMP/apt.log" 2>&1 || { fail "apt-get install: $(tail -3 "$TMP/apt.log")"; summary; exit 1; }
dpkg -L dcmguard | sort >"$TMP/files"
expect "dcmguard is /usr/bin/dcmguard" [ "$(command -v dcmguard)" = /usr/bin/dcmguard ]
expect "it says its version" [ "$(dcmguard --version)" = "dcmguard $VERSION" ]
dcmguard keygen -o "$TMP/k" && dcmguard protect -k "$TMP/k" -s "$TMP/s.db" -o "$TMP/p.dcm" "$DATA/files/pydicom_CT_small.dcm" &&
    dcmguard restore -k "$TMP/k" -s "$TMP/s.db" -o "$TMP/r.dcm" "$TMP/p.dcm"
expect "the installed dcmguard round-trips" [ "$(sha "$TMP/r.dcm")" = "$(sha "$DATA/files/pydicom_CT_small.dcm")" ]
expect "man dcmguard shows the page" sh -c "MANPAGER=cat man dcmguard 2>/dev/null | grep -q 'EXIT STATUS'"
expect "man dcmguard-storescp-hook too" sh -c "MANPAGER=cat man dcmguard-storescp-hook 2>/dev/null | grep -q DCMGUARD_KEY"
for f in /usr/bin/dcmguard "$PLUGIN" $(grep 'libdcmguard\.so\.' "$TMP/files"); do
    [ -L "$f" ] && continue
    readelf -d "$f" | grep -qE 'RPATH|RUNPATH' && fail "$f has an RPATH"
    ldd "$f" | grep -q 'not found' && fail "$f misses a library: $(ldd "$f" | grep 'not found')"
    grep -qaF "$BUILD" "$f" && fail "$f holds the build-tree path $BUILD"
done
printf '#include <dcmguard.h>\n#include <stdio.h>\nint main(void) { puts(dg_version()); return 0; }\n' >"$TMP/v.c"
cc -o "$TMP/v" "$TMP/v.c" $(pkg-config --cflags --libs dcmguard) &&
    expect "a program built with pkg-config finds the installed library" [ "$("$TMP/v")" = "$VERSION" ] ||
    fail "cannot build against the installed library with pkg-config"
expect "the package enables no plugin in Orthanc" [ ! -e "$LINK" ]

echo "== $SECONDS s: 3. Orthanc with the installed plugin"
unshare -rn true 2>/dev/null && {
    unshare -rn env DGO_IN_NETNS=1 bash "$0" --orthanc "$DATA" || fail "Orthanc with the installed plugin"
} || echo "(no network namespace here: part 3 skipped)"

echo "== $SECONDS s: 4. enabled: an upgrade keeps it, removal refused; disabled: purge leaves nothing"
ln -s "$PLUGIN" "$LINK"
(cd "$TMP" && cpack -G DEB -B "$TMP/pkg2" --config "$BUILD/CPackConfig.cmake" \
    -D CPACK_PACKAGE_VERSION="$VERSION.1" >"$TMP/cpack.log" 2>&1)
"${APT[@]}" install "$TMP/pkg2/dcmguard_${VERSION}.1_amd64.deb" >"$TMP/apt.log" 2>&1 ||
    fail "upgrade while enabled failed: $(tail -3 "$TMP/apt.log")"
expect "upgraded to $VERSION.1" [ "$(dpkg-query -W -f '${Version}' dcmguard)" = "$VERSION.1" ]
expect "the upgrade says Orthanc needs a restart" grep -q "restart orthanc" "$TMP/apt.log"
expect "the enabled plugin is still there after the upgrade" [ -f "$(readlink -f "$LINK")" ]
refuse "removal while Orthanc loads the plugin" "${APT[@]}" remove dcmguard >"$TMP/apt.log" 2>&1
grep -q 'disable it first' "$TMP/apt.log" || fail "the refusal does not say what to do"
expect "still installed after the refused removal" dpkg -s dcmguard >/dev/null 2>&1
rm -f "$LINK"
"${APT[@]}" purge dcmguard >"$TMP/apt.log" 2>&1 || fail "purge: $(tail -3 "$TMP/apt.log")"
expect "purged" sh -c "! dpkg -s dcmguard >/dev/null 2>&1"
left=0
while read -r f; do
    if [ -d "$f" ]; then
        [[ $f == *dcmguard* ]] && { echo "left: $f"; left=1; }
    elif [ -e "$f" ] || [ -L "$f" ]; then
        echo "left: $f"
        left=1
    fi
done < <(grep -v '^/\.$' "$TMP/files")
expect "no file of the package is left" [ $left = 0 ]
summary
