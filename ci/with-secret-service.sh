#!/bin/sh
# Usage: ci/with-secret-service.sh COMMAND [ARG...]
#
# Runs COMMAND on a private D-Bus session bus that has an unlocked gnome-keyring Secret Service,
# for tests of the keystore token cache on a headless machine. Nothing of the user's own session
# or keyrings is touched: the bus, the keyring files and the runtime directory live in a temporary
# directory that is removed on exit. The exit code is COMMAND's (90-92 when the setup fails).
#
# Needs (Debian): dbus (dbus-run-session, dbus-send), gnome-keyring; libsecret-tools for secret-tool.
set -u

if [ "${1:-}" = "--inside-bus" ]; then
    # Second stage, on the private bus. The daemon reads the password on stdin and, as the
    # keyring directory is empty, creates the "login" collection (alias "default") with it,
    # unlocked.
    shift
    printf '%s' "${SFMFA_CI_KEYRING_PASSWORD:-sfmfa-ci}" |
        gnome-keyring-daemon --unlock --components=secrets >/dev/null ||
        { echo "with-secret-service: gnome-keyring-daemon failed" >&2; exit 92; }
    # The daemon forks and returns before it has claimed its bus name. A client that called now
    # would make D-Bus start a second, locked daemon; wait until the name has an owner.
    tries=0
    while ! dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus \
            /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
            string:org.freedesktop.secrets 2>/dev/null | grep -q true; do
        tries=$((tries + 1))
        if [ "$tries" -ge 200 ]; then   # 10 s
            echo "with-secret-service: org.freedesktop.secrets never got an owner" >&2
            exit 91
        fi
        sleep 0.05
    done
    exec "$@"
fi

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 2
fi
for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
    command -v "$tool" >/dev/null 2>&1 ||
        { echo "with-secret-service: $tool not found (apt-get install dbus gnome-keyring)" >&2; exit 90; }
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/sfmfa-secret-service.XXXXXX") || exit 90
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$scratch/data" "$scratch/runtime" && chmod 700 "$scratch/runtime" || exit 90

# A fresh keyring directory every run: an old login.keyring with another password would stay
# locked (writes fail with "Cannot create an item in a locked collection"). HOME is left alone
# (rustup and cargo live there). The daemon exits with the bus when COMMAND ends.
XDG_DATA_HOME="$scratch/data" XDG_RUNTIME_DIR="$scratch/runtime" \
    dbus-run-session -- "$0" --inside-bus "$@"
