#!/bin/bash
# storescp.sh CLI HOOK TESTDATA - the storescp recipe of docs/storescp.md
# with real DCMTK servers on a private loopback (see lib.sh):
#   1. storescp runs dcmguard-storescp-hook on each reception; a calling AE
#      title built to inject a command does nothing; every received file is
#      replaced by its protected form, which restores to exactly what a plain
#      storescp wrote; a malformed file ends in the quarantine folder, mode
#      0600, and is reported. Under the recipe's umask 077 the incoming
#      folder, the quarantine and the protected files are owner-only; the hook
#      refuses to run on an incoming folder (or quarantine) that group or
#      others may enter.
#   2. Forwarding with storescu: the archive is down during the sends, the
#      protected files wait in the outbox, and arrive once it is up.
#   3. In place: DCMGUARD_OUT = DCMGUARD_IN.
source "$(dirname "$0")/lib.sh"
netns_enter "$@"
source "$(dirname "$0")/../lib.sh"
SCP_PIDS=()
trap 'for p in "${SCP_PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait; rm -rf "$TMP"' EXIT

CLI=$1 HOOK=$2 DATA=$3
umask 077 # the recipe (docs/storescp.md): received files are patient data
export DCMGUARD=$CLI DCMGUARD_KEY=$TMP/master.key DCMGUARD_KEYSTORE=$TMP/keys.db
export DCMGUARD_IN=$TMP/in DCMGUARD_OUT=$TMP/out
"$CLI" keygen -o "$DCMGUARD_KEY" >/dev/null
mkdir -p "$TMP/in" "$TMP/out" "$TMP/ref" "$TMP/archive"
cd "$TMP" || exit 1
HOSTILE='x";touch HACK;"' # storescp wraps #a in "..." without escaping: this breaks out

# scp PORT AET OUTDIR [HOOK COMMAND]: starts a storescp in the background.
scp() {
    if [ -n "${4:-}" ]; then
        storescp -aet "$2" +xa +uf -od "$3" -xcr "$4" "$1" >>"$TMP/storescp.log" 2>&1 &
    else
        storescp -aet "$2" +xa +uf -od "$3" "$1" >>"$TMP/storescp.log" 2>&1 &
    fi
    SCP_PIDS+=($!)
    sleep 0.3
}

# settle DIR N: waits until DIR holds N regular files (dot files aside).
settle() {
    local n
    for _ in $(seq 300); do
        n=$(find "$1" -maxdepth 1 -type f ! -name '.*' | wc -l)
        [ "$n" -eq "$2" ] && return 0
        sleep 0.1
    done
    return 1
}

malformed() { # 80 nested sequences: dcmguard stops at 64
    {
        printf '(0002,0010) UI =LittleEndianExplicit\n(0008,0016) UI [1.2.840.10008.5.1.4.1.1.7]\n'
        printf '(0008,0018) UI [1.2.826.0.1.3680043.10.1447.5]\n'
        for _ in $(seq 80); do printf '(0040,a730) SQ (Sequence)\n(fffe,e000) na (Item)\n'; done
        for _ in $(seq 80); do printf '(fffe,e00d) na (ItemEnd)\n(fffe,e0dd) na (SequenceEnd)\n'; done
    } >"$TMP/deep.txt"
    dump2dcm "$TMP/deep.txt" "$1" >/dev/null
}

echo "== $SECONDS s: storescp + hook, against a plain storescp"
# Control: the hostile AE title does inject a command into a recipe using #a.
mkdir -p "$TMP/unsafe"
scp 11117 UNSAFE "$TMP/unsafe" "echo #a >/dev/null"
storescu -aet "$HOSTILE" -aec UNSAFE 127.0.0.1 11117 "$DATA/files/pydicom_CT_small.dcm" 2>/dev/null
for _ in $(seq 50); do [ -e "$TMP/HACK" ] && break; sleep 0.1; done
expect "(control) a recipe pasting #a runs the hostile AE title's command" [ -e "$TMP/HACK" ]
rm -f "$TMP/HACK"
scp 11112 STORE "$TMP/in" "$HOOK #f"
scp 11114 REF "$TMP/ref"
mapfile -t FILES < <(find "$DATA/series" -type f | sort)
FILES+=("$DATA/files/wg04_CT1_UNC_jpegls_bot.dcm" "$DATA/files/pydicom_MR_small.dcm" "$DATA/files/wg04_US1_UNCR.dcm")
N=${#FILES[@]}
storescu -aet "$HOSTILE" -aec STORE -xt 127.0.0.1 11112 "${FILES[@]}" 2>/dev/null
storescu -aet "$HOSTILE" -aec REF -xt 127.0.0.1 11114 "${FILES[@]}" 2>/dev/null
expect "every received file was protected into out/ ($N)" settle "$TMP/out" "$N"
expect "and removed from in/" settle "$TMP/in" 0
expect "the same hostile calling AE title ran nothing through the hook" [ ! -e "$TMP/HACK" ]
bad=0
for f in "$TMP"/out/*; do
    "$CLI" inspect "$f" | grep -q '^protected: yes' || { bad=1; fail "$f is not protected"; }
done
expect "every file in out/ is protected" [ "$bad" = 0 ]
"$CLI" restore -k "$DCMGUARD_KEY" -s "$DCMGUARD_KEYSTORE" -o "$TMP/restored" "$TMP/out"
(cd "$TMP/restored" && sha256sum -- * | cut -d' ' -f1 | sort) >"$TMP/restored.sha"
(cd "$TMP/ref" && sha256sum -- * | cut -d' ' -f1 | sort) >"$TMP/ref.sha"
expect "restored files are exactly what a plain storescp wrote" cmp -s "$TMP/restored.sha" "$TMP/ref.sha"

mode() { stat -c %a "$1"; }
expect "umask 077: the incoming folder is 700 (got $(mode "$TMP/in"))" [ "$(mode "$TMP/in")" = 700 ]
modes=$(for f in "$TMP"/out/*; do mode "$f"; done | sort -u | paste -sd,)
expect "protected files are 600 (got $modes)" [ "$modes" = 600 ]
malformed "$TMP/deep.dcm"
storescu -aec STORE 127.0.0.1 11112 "$TMP/deep.dcm" 2>/dev/null
expect "a malformed file ends in the quarantine" settle "$TMP/in/quarantine" 1
expect "and is gone from in/" settle "$TMP/in" 0
q=$(find "$TMP/in/quarantine" -type f | head -1)
expect "the quarantined file is mode 600 (got $(mode "$q"))" [ "$(mode "$q")" = 600 ]
expect "the quarantine folder is 700 (got $(mode "$TMP/in/quarantine"))" [ "$(mode "$TMP/in/quarantine")" = 700 ]
expect "the quarantined file is the unprotected one storescp received" \
    sh -c "! '$CLI' inspect '$q' 2>/dev/null | grep -q '^protected: yes'"
sleep 0.5
expect "and nothing was added to out/" settle "$TMP/out" "$N"
expect "the hook said why" grep -q "dcmguard-storescp-hook: .*not protected, moved to the quarantine" "$TMP/storescp.log"
rm -f "$TMP"/in/quarantine/*

# The hook refuses an incoming folder (or quarantine) others may enter, and touches nothing there.
mkdir -m 755 "$TMP/open"
cp "$DATA/files/pydicom_CT_small.dcm" "$TMP/open/CT.1"
DCMGUARD_IN=$TMP/open "$HOOK" CT.1 2>"$TMP/open.err"
rc=$?
expect "an incoming folder of mode 755 is refused (exit $rc)" [ $rc = 1 ]
expect "and the hook says why: $(cat "$TMP/open.err")" grep -q "accessible to group or others (mode 755)" "$TMP/open.err"
expect "and its file was left alone" cmp -s "$TMP/open/CT.1" "$DATA/files/pydicom_CT_small.dcm"
chmod 700 "$TMP/open"
mkdir -m 770 "$TMP/openq"
DCMGUARD_IN=$TMP/open DCMGUARD_QUARANTINE=$TMP/openq "$HOOK" CT.1 2>"$TMP/openq.err"
expect "a quarantine of mode 770 is refused: $(cat "$TMP/openq.err")" grep -q "DCMGUARD_QUARANTINE .*mode 770" "$TMP/openq.err"
DCMGUARD_IN=$TMP/open DCMGUARD_QUARANTINE=$TMP/open/. "$HOOK" CT.1 2>"$TMP/sameq.err"
expect "a quarantine that is the incoming folder is refused: $(cat "$TMP/sameq.err")" grep -q "is DCMGUARD_IN itself" "$TMP/sameq.err"
expect "and the received file is still there" cmp -s "$TMP/open/CT.1" "$DATA/files/pydicom_CT_small.dcm"

echo "== $SECONDS s: forwarding; the archive starts after the sends"
kill "${SCP_PIDS[0]}"
export DCMGUARD_FORWARD=ARCHIVE@127.0.0.1:11113
scp 11115 STORE "$TMP/in" "$HOOK #f"
storescu -aec STORE -xt 127.0.0.1 11115 "${FILES[@]:0:3}" 2>/dev/null
expect "protected files wait in the outbox" settle "$TMP/out/outbox" 3
scp 11113 ARCHIVE "$TMP/archive"
"$HOOK" --flush
expect "the archive received the three protected files" settle "$TMP/archive" 3
expect "and the outbox is empty" settle "$TMP/out/outbox" 0
for f in "$TMP"/archive/*; do
    expect "the archive's copy $(basename "$f") restores" \
        "$CLI" restore --overwrite -k "$DCMGUARD_KEY" -s "$DCMGUARD_KEYSTORE" -o "$TMP/fwd.dcm" "$f"
done
storescu -aec STORE -xt 127.0.0.1 11115 "${FILES[@]:3:2}" 2>/dev/null
expect "with the archive up, the hook forwards at once" settle "$TMP/archive" 5

# An archive that refuses one file (no presentation context for PDF) must not hold back the others.
cat >"$TMP/ctmr.cfg" <<'EOF'
[[TransferSyntaxes]]
[Any]
TransferSyntax1 = JPEGLSLossless
TransferSyntax2 = LocalEndianExplicit
TransferSyntax3 = LittleEndianImplicit
[[PresentationContexts]]
[Ctx]
PresentationContext1 = VerificationSOPClass\Any
PresentationContext2 = CTImageStorage\Any
PresentationContext3 = MRImageStorage\Any
[[Profiles]]
[CTMR]
PresentationContexts = Ctx
EOF
mkdir -p "$TMP/archive2"
storescp -aet CTMR -xf "$TMP/ctmr.cfg" CTMR +uf -od "$TMP/archive2" 11117 >>"$TMP/storescp.log" 2>&1 &
SCP_PIDS+=($!)
sleep 0.3
export DCMGUARD_FORWARD=CTMR@127.0.0.1:11117
scp 11118 STORE "$TMP/in" "$HOOK #f"
storescu -aec STORE -xt 127.0.0.1 11118 "$DATA/files/dcmguard_pdf.dcm" 2>/dev/null
storescu -aec STORE -xt 127.0.0.1 11118 "${FILES[@]:5:2}" 2>/dev/null
expect "the CT files behind a refused PDF reach the archive" settle "$TMP/archive2" 2
expect "the refused PDF waits, protected, in outbox/rejected" settle "$TMP/out/outbox/rejected" 1
expect "and the hook named it" grep -q "CTMR refused .*: kept in .*outbox/rejected" "$TMP/storescp.log"
# An archive that cannot write (Refused: OutOfResources) is a passing problem: the file stays
# in the outbox, not in rejected/, and goes once the archive can write again.
mkdir -p "$TMP/archive3"
storescp -aet FULL +xa +uf -od "$TMP/archive3" 11119 >>"$TMP/storescp.log" 2>&1 &
SCP_PIDS+=($!)
sleep 0.3
rmdir "$TMP/archive3"
export DCMGUARD_FORWARD=FULL@127.0.0.1:11119
cp "${FILES[7]}" "$TMP/in/CT.OOR1"
"$HOOK" CT.OOR1 2>>"$TMP/oor.err"
expect "an archive that cannot write: the file waits in the outbox" settle "$TMP/out/outbox" 1
expect "and is not taken for refused" settle "$TMP/out/outbox/rejected" 1
mkdir -p "$TMP/archive3"
"$HOOK" --flush 2>>"$TMP/oor.err"
expect "once the archive can write, it arrives" settle "$TMP/archive3" 1
expect "and the outbox is empty again" settle "$TMP/out/outbox" 0
unset DCMGUARD_FORWARD

# DCMGUARD_OUT holds the only copy once the received file is gone: one others may write to
# (and so delete from) is refused, and the received file goes to the quarantine, not away.
mkdir -m 700 "$TMP/in3"
mkdir -m 777 "$TMP/sharedout"
cp "$DATA/files/pydicom_CT_small.dcm" "$TMP/in3/CT.3"
DCMGUARD_IN=$TMP/in3 DCMGUARD_OUT=$TMP/sharedout "$HOOK" CT.3 2>"$TMP/shared.err"
expect "a DCMGUARD_OUT of mode 777 is refused: $(cat "$TMP/shared.err")" grep -q "DCMGUARD_OUT .*writable by group or others" "$TMP/shared.err"
expect "and the received file is kept in the quarantine" cmp -s "$TMP/in3/quarantine/CT.3" "$DATA/files/pydicom_CT_small.dcm"
expect "and nothing went to the shared folder" [ -z "$(ls -A "$TMP/sharedout")" ]

echo "== $SECONDS s: in place"
mkdir -p "$TMP/inplace"
DCMGUARD_IN=$TMP/inplace DCMGUARD_OUT=$TMP/inplace scp 11116 STORE "$TMP/inplace" "$HOOK #f"
storescu -aec STORE -xt 127.0.0.1 11116 "${FILES[@]:0:4}" 2>/dev/null
expect "four files received in place" settle "$TMP/inplace" 4
for _ in $(seq 100); do
    n=0
    for f in "$TMP"/inplace/*; do "$CLI" inspect "$f" 2>/dev/null | grep -q '^protected: yes' && n=$((n + 1)); done
    [ "$n" = 4 ] && break
    sleep 0.1
done
expect "and each was protected in place" [ "$n" = 4 ]
expect "the hook refuses a name storescp +uf would not make" \
    sh -c "! '$HOOK' '../etc/passwd' 2>/dev/null"
summary
