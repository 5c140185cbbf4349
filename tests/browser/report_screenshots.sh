#!/usr/bin/env bash
# Browser test of the HTML report: each fixture report rendered to HTML is loaded in headless
# Chromium at 1200 px and 400 px width (and in dark mode); the screenshots are kept under
# ARTIFACTS; the page must log no console message and its verdict must end above the fold.
# With the pktloss binary as PKTLOSS, the capture reports of the pcaps in FIXTURE_DIR/../capture
# (`capture --read F --html`, time-sequence graphs) are checked the same way; the exporter's
# index page (its drops-per-layer time line) is checked for console messages and shot too.
#   report_screenshots.sh RENDER_TOOL FIXTURE_DIR ARTIFACTS [PKTLOSS]
# Exits 77 (ctest: skipped) when chromium is not installed.
set -uo pipefail
render=${1:?pktloss_render_report}
fixtures=${2:?fixture dir}
art=${3:?artifact dir}
pktloss=${4:-}
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "SKIP: $chromium not installed (scripts/install-deps.sh installs it)"
  exit 77
fi
mkdir -p "$art"
art=$(cd "$art" && pwd)  # file:// URLs need absolute paths
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
fold=700  # px: what a laptop shows without scrolling

browser() {  # browser WIDTH HEIGHT ARGS...: headless, no network, no profile state
  local w=$1 h=$2
  shift 2
  timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
    --hide-scrollbars --window-size="$w,$h" --enable-logging=stderr --v=0 "$@"
}

# Console messages appear on stderr as CONSOLE lines; prove that on a page that logs one.
printf '<!DOCTYPE html><script>console.error("pktloss-selftest")</script>' >"$profile/log.html"
if ! browser 400 300 --dump-dom "file://$profile/log.html" 2>&1 >/dev/null |
  grep -q 'CONSOLE.*pktloss-selftest'; then
  echo "FAIL: chromium's console log could not be read (the no-console-error check would be void)"
  exit 1
fi

passed=0 failed=0
fail() {
  echo "FAIL: $*"
  failed=$((failed + 1))
}
# shoot NAME HTML: screenshots at 1200 and 400 px (and dark), no console message, and when the
# page has a verdict, the verdict above the fold.
shoot() {
  local name=$1 html=$2 w png log frame measured bottom inner
  local has_verdict=1
  grep -q 'id="verdict"' "$html" || has_verdict=0
  for w in 1200 400; do
    png=$art/$name-$w.png
    log=$art/$name-$w.log
    # Headless windows are at least 500 px wide: the page is shown in a frame of exactly w px.
    frame=$profile/$name-$w-frame.html
    printf '<!DOCTYPE html><html><body style="margin:0"><iframe id="f" src="file://%s" style="border:0;width:%spx;height:%spx"></iframe><script>window.onload=()=>{const v=f.contentDocument.getElementById("verdict");document.title="verdict-bottom:"+(v?Math.round(v.getBoundingClientRect().bottom):"none")+":"+f.contentWindow.innerWidth}</script></body></html>' \
      "$html" "$w" "$fold" >"$frame"
    browser "$((w < 500 ? 500 : w))" "$fold" --allow-file-access-from-files \
      --screenshot="$png" "file://$frame" >"$profile/dom" 2>"$log"
    [ -s "$png" ] || fail "$name at $w px: no screenshot"
    # The frame's own screenshot has the page only: crop to it where ImageMagick is real.
    if [ "$w" -lt 500 ] && convert -version 2>/dev/null | grep -q ImageMagick; then
      convert "$png" -crop "${w}x${fold}+0+0" +repage "$png" 2>/dev/null || true
    fi
    if grep -E 'CONSOLE|Failed to load resource|ERR_' "$log" >/dev/null; then
      fail "$name at $w px: console says: $(grep -E 'CONSOLE|Failed to load|ERR_' "$log" | head -3)"
    fi
    # Full page too, for a person to look at (the frame above shows the fold).
    if [ "$w" -ge 500 ]; then
      browser "$w" 1800 --screenshot="$art/$name-$w-full.png" "file://$html" >/dev/null 2>&1
    fi
    if [ "$has_verdict" = 0 ]; then
      echo "ok: $name at $w px: no console message"
      passed=$((passed + 1))
      continue
    fi
    measured=$(browser "$((w < 500 ? 500 : w))" "$fold" --allow-file-access-from-files \
      --dump-dom "file://$frame" 2>/dev/null | sed -n 's#.*<title>verdict-bottom:\([^<]*\)</title>.*#\1#p')
    bottom=${measured%%:*}
    inner=${measured#*:}
    if [ -z "$measured" ] || [ "$bottom" = none ]; then
      fail "$name at $w px: verdict not found"
    elif [ "$inner" != "$w" ]; then
      fail "$name at $w px: the page was laid out $inner px wide"
    elif [ "$bottom" -gt "$fold" ]; then
      fail "$name at $w px: verdict ends at $bottom px, below the fold ($fold px)"
    else
      echo "ok: $name at $w px: verdict ends at $bottom px (fold $fold px)"
      passed=$((passed + 1))
    fi
  done
  browser 1200 1600 --force-dark-mode --blink-settings=preferredColorScheme=0 \
    --screenshot="$art/$name-1200-dark.png" "file://$html" >/dev/null 2>&1 ||
    fail "$name: dark screenshot"
}

for fx in "$fixtures"/*.json; do
  name=$(basename "$fx" .json)
  html=$art/$name.html
  if ! "$render" html "$fx" >"$html"; then
    fail "$name: render failed"
    continue
  fi
  shoot "$name" "$html"
done
if [ -n "$pktloss" ]; then
  for pcap in "$fixtures"/../capture/*.pcap; do
    [ -e "$pcap" ] || continue
    name=capture_$(basename "$pcap" .pcap)
    html=$art/$name.html
    "$pktloss" capture --read "$pcap" --html "$html" >/dev/null 2>&1
    if ! grep -q 'class="seq"' "$html" 2>/dev/null; then
      fail "$name: no time-sequence graph in the capture report"
      continue
    fi
    shoot "$name" "$html"
  done
fi
if "$render" exporter-index >"$art/exporter_index.html" &&
  grep -q 'class="timeline"' "$art/exporter_index.html"; then
  shoot exporter_index "$art/exporter_index.html"
else
  fail "exporter index: render failed"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
