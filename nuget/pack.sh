#!/usr/bin/env bash
# Packs the NuGet packages in Release:
#   MLNet.TensorCompression            (library,  src/MLNet.TensorCompression)
#   MLNet.TensorCompression.TorchSharp (distillation fine-tuning, src/MLNet.TensorCompression.TorchSharp; depends on TorchSharp, not on libtorch natives)
#   MLNet.TensorCompression.Tool       (.NET tool mlnet-compress, src/MLNet.TensorCompression.Cli)
#   MLNet.TensorCompression.Tool.Distillation (the same tool with --distill: plus MLNet.TensorCompression.TorchSharp and
#                                      libtorch-cpu-linux-x64, src/MLNet.TensorCompression.Cli.Distillation; ~130 MB;
#                                      skipped with PACK_DISTILLATION_TOOL=0)
# each with its .snupkg symbol package. Metadata and version: nuget/Package.props.
# Usage: nuget/pack.sh [output-dir]    (default: artifacts/packages under the repository root)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/artifacts/packages}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet pack "$root/src/MLNet.TensorCompression/MLNet.TensorCompression.csproj" -c Release -o "$out"
dotnet pack "$root/src/MLNet.TensorCompression.TorchSharp/MLNet.TensorCompression.TorchSharp.csproj" -c Release -o "$out"

# A tool package holds every file in the publish directory, stale ones included: publish into a fresh one
# (a fixed path, so the SDK's publish bookkeeping in obj/ stays one file).
publish="$root/artifacts/obj/tool-publish"
rm -rf "$publish"
dotnet pack "$root/src/MLNet.TensorCompression.Cli/MLNet.TensorCompression.Cli.csproj" -c Release -o "$out" \
  -p:PublishDir="$publish/"
if [ "${PACK_DISTILLATION_TOOL:-1}" != "0" ]; then
  rm -rf "$publish-distillation"
  dotnet pack "$root/src/MLNet.TensorCompression.Cli.Distillation/MLNet.TensorCompression.Cli.Distillation.csproj" -c Release -o "$out" \
    -p:PublishDir="$publish-distillation/"
fi

ls -l "$out"
