#!/usr/bin/env bash
# Every option `pktloss SUB --help` lists appears in the rendered man page pktloss-SUB(8), and
# every subcommand has a page: the pages cannot drift from the binary.
#   man_covers_help.sh PKTLOSS_BINARY MAN_DIR
set -euo pipefail
bin=$1 dir=$2
fail=0
# Names of the options in a --help text: words starting with - in the option column.
options_of() { sed -n '/^Options:/,/^Subcommands:/p' | grep -oE '^ +-[^ ].*' |
  grep -oE '(^|[ ,])--?[A-Za-z0-9][A-Za-z0-9-]*' | tr -d ' ,' | sort -u; }
render() { MANWIDTH=200 man -l "$1" 2>/dev/null | col -b; }

subs=$("$bin" --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 && NF { print $1 }')
[ -n "$subs" ] || { echo "no subcommands in pktloss --help" >&2; exit 1; }
for page in pktloss $(printf 'pktloss-%s\n' $subs); do
  [ -f "$dir/$page.8" ] || { echo "missing man page $dir/$page.8" >&2; fail=1; continue; }
  sub=${page#pktloss}; sub=${sub#-}
  text=$(render "$dir/$page.8")
  for opt in $("$bin" $sub --help | options_of); do
    grep -qE -- "(^|[^A-Za-z0-9-])$opt([^A-Za-z0-9-]|$)" <<<"$text" ||
      { echo "$page(8) does not mention $opt (pktloss $sub --help does)" >&2; fail=1; }
  done
done
[ $fail -eq 0 ] && echo "man pages cover every option of: pktloss" $subs
exit $fail
