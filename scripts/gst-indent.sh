#!/bin/sh
# Formats C files with GNU indent in GStreamer's style (as gst-indent does):
# scripts/gst-indent.sh FILE...   (needs Debian's indent package)
set -eu
for f in "$@"; do
  for pass in 1 2; do
    indent --braces-on-if-line --case-brace-indentation0 --case-indentation2 \
      --braces-after-struct-decl-line --line-length80 --no-tabs \
      --cuddle-else --dont-line-up-parentheses --continuation-indentation4 \
      --honour-newlines --tab-size8 --indent-level2 \
      --leave-preprocessor-space "$f"
  done
  rm -f "$f~"
done
