#!/usr/bin/env bash
# Regenerates the committed static protobuf module for ONNX from onnx.proto (Debian python3-onnx 1.12).
# The default import of protobufjs/minimal.js makes the module load under Node ESM and in bundlers alike.
set -euo pipefail
cd "$(dirname "$0")/../src/engine/onnx/proto"
npx pbjs -t static-module -w es6 --no-verify --no-convert --no-delimited --no-service -o onnx.js onnx.proto
sed -i 's#^import \* as \$protobuf from "protobufjs/minimal";#import $protobuf from "protobufjs/minimal.js";#' onnx.js
npx pbts -o onnx.d.ts onnx.js
