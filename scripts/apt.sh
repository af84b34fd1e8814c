# Sourced by the setup scripts: installs Debian packages, showing each one as it is unpacked
# and set up (an install takes a minute or two, which should not pass in silence), with
# needrestart quiet (it would print "readline() on closed filehandle" without a terminal).
# Needs `sudo` ("" as root) and `say` from the caller.
apt_install() {
  say "installing $* from Debian's packages (a minute or two)"
  local apt=(env DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 NEEDRESTART_MODE=a apt-get)
  $sudo "${apt[@]}" update -qq
  $sudo "${apt[@]}" install -y -q "$@" 2>&1 | awk '/^(Unpacking|Setting up) / { print "  " $1 " " $2 " " $3; fflush() }' >&2
}
