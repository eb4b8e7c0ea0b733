#!/bin/sh
# Renders menus.html into the rich menu images youth.png and parent.png
# (2500×1686, at most 1 MB each: LINE's limit) with headless Chromium.
# Needs chromium and Thai + emoji fonts:
#   apt-get install -y chromium fonts-thai-tlwg fonts-noto-color-emoji
# Optional: pngquant (smaller files). Run from anywhere; commit the PNGs.
set -eu
cd "$(dirname "$0")"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
for menu in youth parent; do
	"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --hide-scrollbars \
		--force-device-scale-factor=1 --window-size=2500,1686 \
		--screenshot="$PWD/$menu.png" "file://$PWD/menus.html?$menu" 2>/dev/null
	if command -v pngquant >/dev/null 2>&1; then
		pngquant --force --skip-if-larger --quality=80-100 --strip --output "$menu.png" -- "$menu.png" || true
	fi
	size=$(wc -c <"$menu.png")
	echo "$menu.png: $size bytes"
	if [ "$size" -gt 1048576 ]; then
		echo "$menu.png is over LINE's 1 MB limit" >&2
		exit 1
	fi
done
