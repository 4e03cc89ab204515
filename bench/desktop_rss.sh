#!/usr/bin/env bash
# RSS of the desktop app idle with the inbox open (issue 6): the real `frontdesk` window under
# Xvfb on the 100,000-conversation store from crates/engine/examples/ui_fixture.rs, Ana logged in
# by typing into the window, then 30 s idle. Sums the app and its WebKit processes.
#
#   bench/desktop_rss.sh FRONTDESK_BIN FIXTURE_DIR
set -euo pipefail
bin=$1; fixture=$2
inner=$(cat <<'INNER'
set -u
bin=$1; fixture=$2
"$bin" --data-dir "$fixture" --listen 127.0.0.1:0 > /tmp/desktop-rss.out 2> /tmp/desktop-rss.err &
pid=$!
window_named() {
  for _ in $(seq 1 120); do
    w=$(xdotool search --name "^$1\$" 2>/dev/null | head -1) && [ -n "$w" ] && { echo "$w"; return 0; }
    sleep 0.5
  done
  return 1
}
window=$(window_named "Frontdesk — Log in") || { echo "no login window"; cat /tmp/desktop-rss.err; kill "$pid"; exit 1; }
sleep 1
xdotool mousemove --window "$window" 600 400 windowfocus --sync "$window"
xdotool type --delay 30 "ana@bench.test"; xdotool key Tab
xdotool type --delay 30 "correct horse"; xdotool key Return
window_named "Frontdesk — Inbox" >/dev/null || { echo "the login did not reach the inbox"; kill "$pid"; exit 1; }
sleep 30
tree() { echo "$1"; for c in $(pgrep -P "$1"); do tree "$c"; done; }
total=0
for p in $(tree "$pid"); do
  kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
  name=$(cat "/proc/$p/comm" 2>/dev/null || echo gone)
  echo "  $name (pid $p): $((kb / 1024)) MiB"
  total=$((total + ${kb:-0}))
done
echo "desktop app idle with the inbox open: $((total / 1024)) MiB in all"
kill -TERM "$pid"; wait "$pid"
INNER
)
dbus-run-session -- xvfb-run -a -s "-screen 0 1400x900x24" bash -c "$inner" rss "$bin" "$fixture"
