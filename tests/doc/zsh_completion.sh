#!/usr/bin/env bash
# The generated zsh completion in a real interactive zsh (compinit, under tmux): Tab completes
# subcommands, options, a named network namespace and an interface name, as a user would see.
#   zsh_completion.sh COMPLETION_FILE      (exit 77: zsh or tmux not installed)
set -euo pipefail
comp=$1
for t in zsh tmux ip; do
  command -v "$t" >/dev/null || { echo "zsh-completion: $t not installed; skipped"; exit 77; }
done
work=$(mktemp -d /tmp/pktloss-zsh.XXXXXX)
session=pktloss-zsh-$$
ns=pktzsh-$$
cleanup() {
  tmux kill-session -t "$session" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/functions"
cp "$comp" "$work/functions/_pktloss"
cat >"$work/.zshrc" <<RC
fpath=($work/functions \$fpath)
autoload -U compinit && compinit -u -d $work/.zcompdump
PS1='zsh%% '
RC
ip netns add "$ns"
tmux new-session -d -s "$session" -x 220 -y 50 \
  "env -i HOME=$work ZDOTDIR=$work TERM=xterm-256color PATH=/usr/sbin:/usr/bin:/sbin:/bin zsh -i"
screen() { tmux capture-pane -p -t "$session"; }
wait_for() {  # wait_for REGEX: the screen shows it within 10 s
  for _ in $(seq 1 100); do
    screen | grep -qE -- "$1" && return 0
    sleep 0.1
  done
  echo "zsh-completion: expected /$1/ on the screen:" >&2
  screen >&2
  return 1
}
wait_for '^zsh%'
fail=0
try() {  # try WHAT TYPED REGEX
  tmux send-keys -t "$session" C-u
  tmux send-keys -t "$session" -l "$2"
  tmux send-keys -t "$session" Tab
  if wait_for "$3"; then echo "  ok    $1"; else echo "  FAIL  $1" >&2; fail=1; fi
}
# (capture-pane drops trailing blanks: the space zsh adds after a completed word is not seen)
try "subcommand" "pktloss ch" 'zsh% pktloss check$'
try "options" "pktloss check --no-" -- '--no-trace'
try "netns name from /run/netns" "pktloss check -n pktzsh-" "zsh% pktloss check -n $ns\$"
try "interface name" "pktloss capture -i l" 'zsh% pktloss capture -i lo$'
try "file argument" "pktloss check --prometheus $work/.zsh" "zsh% pktloss check --prometheus $work/.zshrc\$"
exit $fail
