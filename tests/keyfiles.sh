#!/bin/bash
# keyfiles.sh CLI TESTDATA - the checks on the files that hold secrets
# (crypto/private_file.c): the master key, the key store and its -wal and
# -shm files must be regular files, not symbolic links, owned by the user
# running dcmguard, mode 0600, in a folder group and others cannot write to.
# Each check is attacked: dcmguard must refuse with one line naming the file
# and why, and write nothing.
. "$(dirname "$0")/lib.sh"
CLI=$1 DATA=$2
IN=$DATA/files/pydicom_CT_small.dcm
D=$TMP/private
mkdir -m 700 "$D"
"$CLI" keygen -o "$D/key"
expect "a private key and store work" "$CLI" protect -k "$D/key" -s "$D/keys.db" -o "$TMP/ok.dcm" "$IN"

# refused NAME PATTERN -k KEY -s STORE: protect must fail, say PATTERN, leave no output.
refused() {
    local name=$1 pattern=$2
    shift 2
    rm -f "$TMP/out.dcm"
    "$CLI" protect "$@" -o "$TMP/out.dcm" "$IN" 2>"$TMP/err"
    local rc=$?
    expect "$name: refused (exit $rc)" [ $rc -ne 0 -a $rc -lt 128 ]
    expect "$name: says why in one line: $(head -1 "$TMP/err")" \
        sh -c "[ \$(wc -l <'$TMP/err') = 1 ] && grep -q -- '$pattern' '$TMP/err'"
    expect "$name: no output" [ ! -e "$TMP/out.dcm" ]
}

ln -s "$D/key" "$D/key.link"
refused "a key file that is a symbolic link" "symbolic link" -k "$D/key.link" -s "$D/keys.db"
ln -s "$D/keys.db" "$D/store.link"
refused "a key store that is a symbolic link" "symbolic link" -k "$D/key" -s "$D/store.link"

# -wal and -shm: a copy of the store whose -wal (then -shm) is a link to a file elsewhere.
for part in wal shm; do
    S=$D/$part.db
    cp "$D/keys.db" "$S"
    : >"$TMP/elsewhere-$part"
    ln -s "$TMP/elsewhere-$part" "$S-$part"
    refused "a key store whose -$part is a symbolic link" "$part: is a symbolic link" -k "$D/key" -s "$S"
    expect "and nothing was written through the -$part link" [ ! -s "$TMP/elsewhere-$part" ]
    rm -f "$S-$part"
    cp "$D/keys.db" "$S-$part" # any content: only its mode matters here
    chmod 644 "$S-$part"
    refused "a key store whose -$part is mode 0644" "$part: group or others may access it" -k "$D/key" -s "$S"
done

# A folder others may write to: they could put a link or a file of theirs in place.
O=$TMP/open
mkdir -m 700 "$O"
cp "$D/key" "$O/key"
chmod 777 "$O"
refused "a key file in a folder of mode 0777" "writable by group or others" -k "$O/key" -s "$D/keys.db"
refused "a key store in a folder of mode 0777" "writable by group or others" -k "$D/key" -s "$O/keys.db"
expect "no store was created there" [ ! -e "$O/keys.db" ]
chmod 1777 "$O"
refused "a key store in a sticky folder others may write to (like /tmp)" "writable by group or others" \
    -k "$D/key" -s "$O/keys.db"

# Another user's files (needs root to make them; skipped otherwise).
if [ "$(id -u)" = 0 ]; then
    cp "$D/key" "$D/nobody.key"
    chown 65534 "$D/nobody.key"
    refused "a key file owned by another user" "belongs to uid 65534" -k "$D/nobody.key" -s "$D/keys.db"
    cp "$D/keys.db" "$D/nobody.db"
    chown 65534 "$D/nobody.db"
    refused "a key store owned by another user" "belongs to uid 65534" -k "$D/key" -s "$D/nobody.db"
else
    echo "NOTE: not root: files of another user cannot be made here; the owner check is not attacked"
fi
summary
