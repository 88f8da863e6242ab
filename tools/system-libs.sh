#!/bin/sh
# Checks for the system libraries Qt 6 needs to open a window on Linux (the xcb
# platform plugin), and installs them on Debian/Ubuntu when run as root, or says
# which command to run. Without them the window fails with
# "Could not load the Qt platform plugin "xcb"".
set -u
[ "$(uname -s)" = Linux ] || exit 0
[ "${QT_QPA_PLATFORM:-}" = offscreen ] && exit 0

PACKAGES="libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libegl1 libgl1 \
libfontconfig1 libdbus-1-3"
LIBS="libxcb-cursor.so.0 libxkbcommon-x11.so.0 libxcb-icccm.so.4 libxcb-image.so.0 \
libxcb-keysyms.so.1 libxcb-randr.so.0 libxcb-render-util.so.0 libxcb-shape.so.0 \
libxcb-xinerama.so.0 libxcb-xkb.so.1 libEGL.so.1 libGL.so.1 libfontconfig.so.1 libdbus-1.so.3"

missing=""
for lib in $LIBS; do
    ldconfig -p 2>/dev/null | grep -q "$lib" || missing="$missing $lib"
done
[ -z "$missing" ] && exit 0

echo "Qt needs system libraries that are missing:$missing"
if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $PACKAGES && exit 0
    fi
    echo "Install them with:"
    echo "  sudo apt-get install $PACKAGES"
else
    echo "Install your distribution's packages for the libraries above (Qt 6 xcb platform plugin)."
fi
exit 1
