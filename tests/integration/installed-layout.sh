#!/usr/bin/env bash
# meson install into a DESTDIR: the binaries, example configs, bash completion and systemd
# units land where they should; systemd-analyze verify accepts the units; the installed
# binaries run (a loopback agent and client, queried with the installed hbsctl).
set -euo pipefail
build=${1:?usage: installed-layout.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
dest=$(mktemp -d /tmp/hbs-destdir.XXXXXX)
HBS_EXTRA_CLEANUP=$dest
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --destdir "$dest" >/dev/null
prefix=$(meson introspect "$build" --buildoptions | jq -r '.[] | select(.name == "prefix") | .value')
root=$dest$prefix
for f in bin/hbs-agent bin/hbs-client bin/hbsctl share/hbs/agent.example.toml \
         share/hbs/client.example.toml share/bash-completion/completions/hbsctl \
         lib/systemd/system/hbs-agent.service lib/systemd/system/hbs-client.service; do
  [[ -e $root/$f ]] || hbs_fail "not installed: $prefix/$f"
done
echo "installed: $(cd "$root" && find . -type f | sort | tr '\n' ' ')"

# Verify the units as installed, pointed at the DESTDIR binaries.
units=$(mktemp -d /tmp/hbs-units.XXXXXX)
for u in hbs-agent.service hbs-client.service; do
  sed "s|$prefix/bin/|$root/bin/|g" "$root/lib/systemd/system/$u" >"$units/$u"
done
grep -q '^Type=notify' "$units/hbs-agent.service" || hbs_fail "agent unit is not Type=notify"
grep -q '^After=hbs-client.service' "$units/hbs-agent.service" ||
  hbs_fail "agent unit not ordered after the client"
out=$(systemd-analyze verify "$units/hbs-client.service" "$units/hbs-agent.service" 2>&1) ||
  hbs_fail "systemd-analyze verify: $out"
[[ -z $out ]] || hbs_fail "systemd-analyze verify warned: $out"
rm -rf "$units"
echo "systemd-analyze verify: both units clean"

"$root/bin/hbs-agent" --check --config "$root/share/hbs/agent.example.toml"
"$root/bin/hbs-client" --check --config "$root/share/hbs/client.example.toml"
bash -n "$root/share/bash-completion/completions/hbsctl"

# Run the installed binaries for real on loopback.
HBS_BUILD=$root/bin
hbs_setup_cluster "$root/bin" 2 25000
hbs_wait_for "two hosts responding through the installed binaries" 10 \
  'hbs_ctl status --json | jq -e ".networks[0].responding == 2" >/dev/null'
hbs_ctl hosts
echo "PASS installed-layout"
