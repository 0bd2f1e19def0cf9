#!/usr/bin/env bash
# Installs the Debian packages the firmware stages need, when missing and running as root;
# otherwise says what to install. Idempotent.
set -eu
packages="gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib qemu-system-arm"
missing=""
command -v arm-none-eabi-gcc >/dev/null || missing="$missing gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib"
command -v qemu-system-arm >/dev/null || missing="$missing qemu-system-arm"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing:$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null
else
  echo "missing:$missing"
  echo "install them with: sudo apt-get install $packages"
  echo "(the Python stages work without them; build and simulate need them)"
fi
