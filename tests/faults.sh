#!/bin/bash
# faults.sh CLI TESTDATA - dcmguard protect under faults (docs/reliability.md, Faults):
#   1. disk full (a 300 KB tmpfs the test mounts in its own user+mount
#      namespace, unshare -rm; skipped, 77, where that is not allowed):
#      - the output on the full disk: a one-line error, non-zero exit, no
#        output and no temporary file left, the input untouched;
#      - the key store on the full disk: a one-line error, no output written,
#        the store still opens and every pad it lists belongs to an output;
#   2. kill -9 during a batch protect (3 times, different delays): every
#      output present restores byte for byte (its pad was committed before
#      the output was renamed into place), leftover temporary files are
#      counted and never carry a final name, the store opens;
#   3. a key store locked by another process (sqlite3 BEGIN EXCLUSIVE): a
#      one-line error after the busy timeout (15 s), nothing written; a store
#      that is a directory or random bytes: a clear error, nothing written; a
#      real store with bytes overwritten in its middle: an error or consistent
#      behaviour, never a crash (exit < 128).
if [ -z "${DG_IN_MNTNS:-}" ]; then
    if ! unshare -rm true 2>/dev/null; then
        echo "SKIP: unshare -rm is not permitted here (user namespaces are off)"
        exit 77
    fi
    exec unshare -rm env DG_IN_MNTNS=1 bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
CLI=$1
DATA=$2
SERIES=$DATA/series/ct_philips_phantom_55
K=$TMP/key
"$CLI" keygen -o "$K" >/dev/null
FULL=$TMP/full
mkdir -p "$FULL"
if ! mount -t tmpfs -o size=300k,mode=0700 tmpfs "$FULL" 2>"$TMP/mount.err"; then
    echo "SKIP: cannot mount a tmpfs in a user+mount namespace: $(cat "$TMP/mount.err")"
    exit 77
fi

# one_line FILE: FILE holds exactly one non-empty line.
one_line() { [ "$(grep -c . "$1")" = 1 ]; }
# fill LEAVE_KB: fills the tmpfs with a file until about LEAVE_KB are left.
fill() {
    local avail
    avail=$(df -k --output=avail "$FULL" | tail -1)
    [ "$avail" -gt "$1" ] && dd if=/dev/zero of="$FULL/filler.$RANDOM" bs=1k count=$((avail - $1)) 2>/dev/null
    true
}
# temps DIR: the temporary files of dg_file_write left under DIR.
temps() { find "$1" -name '.*.dcmguard-*' | wc -l; }
# pads_ok STORE OUTDIR: every pad STORE lists is the pad of an output under OUTDIR.
pads_ok() {
    local ids
    "$CLI" keys list -s "$1" >"$TMP/list" 2>"$TMP/list.err" || return 1
    ids=$(find "$2" -type f ! -name '.*' -exec "$CLI" inspect {} \; 2>/dev/null | awk '/^pad:/ {print $NF}' | sort)
    [ -z "$(comm -23 <(awk '{print $1}' "$TMP/list" | sort) <(echo "$ids"))" ]
}

echo "== 1. disk full"
IN=$SERIES/I10
before=$(sha "$IN")
fill 50
"$CLI" protect -k "$K" -s "$TMP/store1.db" -o "$FULL/out.dcm" "$IN" >"$TMP/out1" 2>"$TMP/err1"
rc=$?
echo "output on a full disk: exit $rc: $(cat "$TMP/err1")"
expect "full output disk: non-zero exit, no crash (exit $rc)" [ $rc -ne 0 -a $rc -lt 128 ]
expect "full output disk: a one-line error" one_line "$TMP/err1"
expect "full output disk: the error says why" grep -qi "space" "$TMP/err1"
expect "full output disk: no output file" [ ! -e "$FULL/out.dcm" ]
expect "full output disk: no temporary file left" [ "$(temps "$FULL")" = 0 ]
expect "full output disk: the input is untouched" [ "$(sha "$IN")" = "$before" ]
expect "full output disk: the key store (elsewhere) opens" "$CLI" keys list -s "$TMP/store1.db" >/dev/null

rm -f "$FULL"/filler.*
# The store gets created with a first pad; then the disk is filled but for a few KB.
ST=$FULL/store.db
mkdir -p "$TMP/out2"
expect "store on the tmpfs: a first protect" "$CLI" protect -k "$K" -s "$ST" -o "$TMP/out2/first.dcm" "$DATA/files/pydicom_CT_small.dcm"
for leave in 4 0; do
    fill "$leave"
    outs=0
    for f in $(ls "$SERIES" | head -20); do
        "$CLI" protect -k "$K" -s "$ST" -o "$TMP/out2/$f" "$SERIES/$f" >/dev/null 2>"$TMP/err2"
        rc=$?
        [ $rc = 0 ] && { outs=$((outs + 1)); continue; }
        break
    done
    echo "store on a full disk ($leave KB left): $outs protects succeeded, then exit $rc: $(cat "$TMP/err2")"
    expect "full store disk ($leave KB): protect fails at last, no crash (exit $rc)" [ $rc -ne 0 -a $rc -lt 128 ]
    expect "full store disk ($leave KB): a one-line error" one_line "$TMP/err2"
    expect "full store disk ($leave KB): no output for the failed file" [ ! -e "$TMP/out2/$f" ]
    expect "full store disk ($leave KB): no temporary file" [ "$(temps "$TMP/out2")" = 0 ]
    if "$CLI" keys list -s "$ST" >/dev/null 2>"$TMP/err2l"; then
        echo "  keys list on the full disk: works"
    else
        echo "  NOTE: keys list on the full disk fails too: $(cat "$TMP/err2l")"
    fi
    rm -f "$FULL"/filler.*
    expect "full store disk ($leave KB): once space is back, the store opens, each pad listed belongs to an output" \
        pads_ok "$ST" "$TMP/out2"
done
expect "full store disk: once space is back, protect works again" \
    "$CLI" protect -k "$K" -s "$ST" -o "$TMP/out2/again.dcm" "$DATA/files/pydicom_MR_small.dcm"
expect "full store disk: what was protected restores" \
    "$CLI" restore -k "$K" -s "$ST" -o "$TMP/again-back.dcm" "$TMP/out2/again.dcm"
cmp -s "$TMP/again-back.dcm" "$DATA/files/pydicom_MR_small.dcm" && ok || fail "restore after a full disk differs"
umount "$FULL"

echo "== 2. kill -9 during a batch protect"
mkdir -p "$TMP/in"
cp "$SERIES"/* "$TMP/in/"
chmod u+w "$TMP"/in/*
sha256sum "$TMP"/in/* >"$TMP/in.sha"
for delay in 0.3 0.45 0.6; do
    S=$TMP/kill-$delay.db O=$TMP/kill-$delay
    "$CLI" protect --threads 1 -k "$K" -s "$S" -o "$O" "$TMP/in" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    n=$(find "$O" -type f ! -name '.*' 2>/dev/null | wc -l)
    t=$(temps "$O" 2>/dev/null || echo 0)
    bad=0
    for f in $(find "$O" -type f ! -name '.*' 2>/dev/null); do
        "$CLI" restore -k "$K" -s "$S" -o "$TMP/back.dcm" "$f" 2>"$TMP/kerr" &&
            cmp -s "$TMP/back.dcm" "$TMP/in/$(basename "$f")" || { bad=$((bad + 1)); echo "  $f: $(cat "$TMP/kerr")"; }
        rm -f "$TMP/back.dcm"
    done
    echo "kill -9 after $delay s: $n of 54 outputs, $t temporary files left, $bad not restorable"
    expect "kill -9 after $delay s: landed mid-batch (0 < $n < 54)" [ "$n" -gt 0 -a "$n" -lt 54 ]
    expect "kill -9 after $delay s: every output present restores byte for byte" [ "$bad" = 0 ]
    expect "kill -9 after $delay s: no temporary file has a final name" \
        [ -z "$(find "$O" -type f -name '.*' ! -name '.*.dcmguard-??????' 2>/dev/null)" ]
    expect "kill -9 after $delay s: keys list works" "$CLI" keys list -s "$S" >"$TMP/klist"
    expect "kill -9 after $delay s: at least one pad per output" [ "$(wc -l <"$TMP/klist")" -ge "$n" ]
    find "$O" -name '.*.dcmguard-*' -delete 2>/dev/null
    expect "kill -9 after $delay s: a rerun without --overwrite refuses the outputs already there" \
        sh -c "! '$CLI' protect --threads 1 -k '$K' -s '$S' -o '$O' '$TMP/in' >/dev/null 2>&1"
    expect "kill -9 after $delay s: a rerun with --overwrite completes the batch" \
        "$CLI" protect --overwrite --threads 1 -k "$K" -s "$S" -o "$O" "$TMP/in" >/dev/null
done
expect "kill -9: the inputs are untouched" sha256sum -c --quiet "$TMP/in.sha"

echo "== 3. key store locked, unreadable, corrupt"
CT=$DATA/files/pydicom_CT_small.dcm
S=$TMP/locked.db
"$CLI" protect -k "$K" -s "$S" -o "$TMP/locked-first.dcm" "$CT" >/dev/null
if command -v sqlite3 >/dev/null; then
    mkfifo "$TMP/lockfifo"
    sqlite3 "$S" <"$TMP/lockfifo" >/dev/null &
    lockpid=$!
    exec 9>"$TMP/lockfifo"
    echo 'BEGIN EXCLUSIVE; SELECT 1;' >&9
    sleep 0.5
    start=$SECONDS
    "$CLI" protect -k "$K" -s "$S" -o "$TMP/locked.dcm" "$DATA/files/pydicom_MR_small.dcm" 2>"$TMP/err3"
    rc=$?
    took=$((SECONDS - start))
    exec 9>&-
    wait $lockpid 2>/dev/null
    echo "locked store: exit $rc after $took s: $(cat "$TMP/err3")"
    expect "locked store: non-zero exit, no crash (exit $rc)" [ $rc -ne 0 -a $rc -lt 128 ]
    expect "locked store: a one-line error" one_line "$TMP/err3"
    expect "locked store: the error says the store is locked/busy" grep -qi "lock\|busy" "$TMP/err3"
    expect "locked store: waited for the busy timeout (took $took s)" [ "$took" -ge 10 ]
    expect "locked store: nothing written" [ ! -e "$TMP/locked.dcm" -a "$(temps "$TMP")" = 0 ]
    expect "locked store: works once the lock is gone" \
        "$CLI" protect -k "$K" -s "$S" -o "$TMP/locked.dcm" "$DATA/files/pydicom_MR_small.dcm"
else
    echo "NOTE: sqlite3 is missing (tests/install-deps.sh): the locked store is not tested"
fi

# bad_store NAME PATH: protect with the store PATH fails with one line, writes nothing.
bad_store() {
    "$CLI" protect -k "$K" -s "$2" -o "$TMP/bad-$1.dcm" "$CT" 2>"$TMP/err-$1"
    local rc=$?
    echo "$1 store: exit $rc: $(cat "$TMP/err-$1")"
    expect "$1 store: non-zero exit, no crash (exit $rc)" [ $rc -ne 0 -a $rc -lt 128 ]
    expect "$1 store: a one-line error" one_line "$TMP/err-$1"
    expect "$1 store: nothing written" [ ! -e "$TMP/bad-$1.dcm" ]
}
mkdir -p "$TMP/dir.db"
bad_store directory "$TMP/dir.db"
head -c 65536 /dev/urandom >"$TMP/random.db"
chmod 600 "$TMP/random.db"
bad_store random-bytes "$TMP/random.db"

# A real store with 50 pads, bytes overwritten in its middle (pages of pads).
S=$TMP/corrupt.db
"$CLI" protect -k "$K" -s "$S" -o "$TMP/corrupt-out" "$TMP/in" >/dev/null
size=$(stat -c %s "$S")
cp "$S" "$TMP/corrupt-orig.db"
dd if=/dev/urandom of="$S" bs=1 seek=$((size / 2)) count=4096 conv=notrunc 2>/dev/null
for op in "keys list -s $S" "protect -k $K -s $S -o $TMP/corrupt-new.dcm $CT" \
    "restore -k $K -s $S -o $TMP/corrupt-back.dcm $TMP/corrupt-out/I10"; do
    "$CLI" $op >/dev/null 2>"$TMP/err4"
    rc=$?
    echo "corrupt store, ${op%% -*}: exit $rc: $(head -c 300 "$TMP/err4")"
    expect "corrupt store, ${op%% -*}: no crash (exit $rc)" [ $rc -lt 128 ]
    [ $rc = 0 ] || expect "corrupt store, ${op%% -*}: a one-line error" one_line "$TMP/err4"
done
[ -e "$TMP/corrupt-back.dcm" ] && { cmp -s "$TMP/corrupt-back.dcm" "$TMP/in/I10" && ok || fail "corrupt store: restore gave wrong bytes"; }
summary
