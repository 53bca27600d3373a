#!/bin/bash
# install-deps.sh - installs the Debian 12 packages dcmguard builds, tests and
# benchmarks with. Runs apt-get as root (directly, or through sudo).
set -euo pipefail
PACKAGES=(
    build-essential cmake pkg-config
    libdcmtk-dev dcmtk          # DICOM read/write; dcmdump, dcmcjpls for tests and benchmarks
    libcharls-dev               # JPEG-LS
    libssl-dev                  # AES, HMAC, key wrap, CSPRNG
    libsqlite3-dev sqlite3      # the key store of one-time pads; sqlite3 locks it in tests/faults.sh
    libmpfr-dev                 # exact sin for the chaos cipher (crypto/sine.c)
    libpng-dev                  # the figures of dcmguard analyze
    libturbojpeg0-dev           # JPEG
    dicom3tools                 # dciodvfy, to check protected files are valid
    clang-format
    time                        # GNU time, for the benchmark's peak memory
    orthanc orthanc-dev         # the gateway: Orthanc 1.10 and its plugin SDK header
    libjansson-dev              # the gateway's JSON configuration
    iproute2 util-linux         # ip, unshare: the gateway tests' private loopback
    curl jq                     # the gateway tests talk to Orthanc's REST API
    clang libclang-rt-14-dev    # libFuzzer and ThreadSanitizer (tests/fuzz/run.sh, tests/tsan.sh)
    valgrind python3            # the valgrind round trip; python3 writes the hostile test files
    postgresql libpq-dev        # the PostgreSQL key store and queue; a server the scale-out tests start
    orthanc-postgresql          # several gateways on one database (index and storage)
    orthanc-dicomweb            # STOW-RS ingest and forwarding tests
    libfreetype-dev fonts-dejavu-core   # the placeholder's notice, drawn with FreeType
    libxml2-utils               # xmllint checks the DICOM audit messages
    dpkg-dev file lintian man-db        # cpack -G DEB, its checks, man pages
)
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "installing: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
