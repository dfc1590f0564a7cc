#!/usr/bin/env bash
# Render Word documents to PDF (LibreOffice) and PNG pages (pdftoppm) to look at them by eye.
#
#   scripts/render.sh plan.docx [report.docx ...]      -> plan.pdf, plan-1.png, plan-2.png, ...
#   RES=80 OUT=/tmp/renders scripts/render.sh plan.docx
#
# Needs: apt-get install -y libreoffice-writer poppler-utils
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: scripts/render.sh FILE.docx [FILE.docx ...]" >&2
    exit 2
fi
for tool in soffice pdftoppm; do
    command -v "$tool" >/dev/null || {
        echo "Error: $tool not found (apt-get install -y libreoffice-writer poppler-utils)" >&2
        exit 1
    }
done

res="${RES:-60}"
# A private LibreOffice profile: a desktop LibreOffice already running would swallow the job.
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT

for docx in "$@"; do
    out="${OUT:-$(dirname "$docx")}"
    mkdir -p "$out"
    stem="$(basename "${docx%.*}")"
    rm -f "$out/$stem.pdf"
    # soffice warns about Java on every run; show its messages only when it fails.
    if ! soffice -env:UserInstallation="file://$profile" --headless --convert-to pdf \
        --outdir "$out" "$docx" >"$profile/log" 2>&1 || [ ! -s "$out/$stem.pdf" ]; then
        cat "$profile/log" >&2
        echo "Error: LibreOffice could not convert $docx" >&2
        exit 1
    fi
    rm -f "$out/$stem"-*.png
    pdftoppm -r "$res" -png "$out/$stem.pdf" "$out/$stem"
    echo "$out/$stem.pdf"
    ls "$out/$stem"-*.png
done
