#!/usr/bin/env bash
# Consumer check: what a NuGet user gets from the packages, proved from packed packages.
#   1. packs DiffOpt.Core, DiffOpt.ML and DiffOpt.ML.Cpu (unique prerelease version) into a local folder feed;
#   2. checks the packages' contents (package READMEs, buildTransitive targets and no source files, XML docs,
#      symbol packages, the meta-package's dependencies);
#   3. creates a throwaway console app in a temp folder (nuget.config: the local feed plus nuget.org) that
#      references DiffOpt.ML only, and checks that its build fails naming the libtorch package to add;
#   4. adds that package, builds, trains a small model with the QP-layer trainer and saves it, loads it in a
#      second process, predicts the same rows with a PredictionEngine and compares the outputs byte for byte;
#   5. on linux-x64, checks that the host loads DiffOpt.Core's ReadyToRun image (runtimes/linux-x64/lib) and
#      prints the first ConvexLayer build's time in a fresh process (printed, never judged: timing is not a test).
# Packages already in the machine's NuGet cache are used through a fallback folder; the check's own
# packages go to a temp cache, so nothing is left behind. Fails loudly (non-zero exit) on any difference.
# DIFFOPT_CONSUMER_CHECK_KEEP=1 keeps the temp folder (it is always kept on failure).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
start=$SECONDS
work=$(mktemp -d "${TMPDIR:-/tmp}/diffopt-consumer-check.XXXXXX")
keep_on_failure() {
  local code=$?
  if [ "$code" -ne 0 ] || [ "${DIFFOPT_CONSUMER_CHECK_KEEP:-}" = 1 ]; then
    [ "$code" -ne 0 ] && echo "consumer check: FAILED (exit $code)" >&2
    echo "consumer check: files kept in $work" >&2
  else
    rm -rf "$work"
  fi
}
trap keep_on_failure EXIT
fail() { echo "consumer check: FAILED: $*" >&2; exit 1; }
step() { echo "consumer check [$((SECONDS - start)) s]: $*"; }

version="0.0.0-check.$(date -u +%Y%m%d%H%M%S).$$"
libtorch_version=$(sed -n 's:.*<LibTorchVersion>\(.*\)</LibTorchVersion>.*:\1:p' "$root/Directory.Packages.props")
case "$(uname -s)" in
  Linux) runtime=libtorch-cpu-linux-x64 ;;
  Darwin) runtime=libtorch-cpu-osx-arm64 ;;
  *) runtime=libtorch-cpu-win-x64 ;;
esac
feed=$work/feed
platform=$(uname -s)-$(uname -m) # the package's ReadyToRun image is for Linux-x86_64 only
global_packages=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
export NUGET_PACKAGES=$work/packages
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

step "packing $version into $feed"
for project in src/DiffOpt.Core src/DiffOpt.ML src/DiffOpt.ML.Cpu; do
  # The project restore uses the repository's own settings; its packages are in the global folder.
  NUGET_PACKAGES=$global_packages dotnet pack "$root/$project" -c Release -o "$feed" -p:PackageVersion="$version" \
    -v quiet -nologo -clp:ErrorsOnly >"$work/pack.log" 2>&1 || { cat "$work/pack.log"; fail "dotnet pack $project"; }
done

step "checking the packages' contents"
for id in DiffOpt.Core DiffOpt.ML DiffOpt.ML.Cpu; do
  nupkg=$feed/$id.$version.nupkg
  [ -f "$nupkg" ] || fail "$nupkg was not written"
  listing=$(unzip -Z1 "$nupkg")
  grep -qx README.md <<<"$listing" || fail "$id has no README.md"
  grep -q '<readme>README.md</readme>' <(unzip -p "$nupkg" "$id.nuspec") || fail "$id's nuspec names no readme"
  grep -q '<repository type="git" url="https://' <(unzip -p "$nupkg" "$id.nuspec") || fail "$id's nuspec has no repository URL"
  if grep -q '\.cs$' <<<"$listing"; then fail "$id ships source files: $(grep '\.cs$' <<<"$listing")"; fi
  if [ "$id" != DiffOpt.ML.Cpu ]; then
    [ -f "$feed/$id.$version.snupkg" ] || fail "$id has no symbol package"
    grep -qx "lib/net10.0/$id.xml" <<<"$listing" || fail "$id has no XML documentation"
  fi
done
core_listing=$(unzip -Z1 "$feed/DiffOpt.Core.$version.nupkg")
if [ "$platform" = Linux-x86_64 ]; then
  grep -qx runtimes/linux-x64/lib/net10.0/DiffOpt.Core.dll <<<"$core_listing" || fail "DiffOpt.Core has no linux-x64 ReadyToRun image"
fi
for file in buildTransitive/DiffOpt.Core.targets buildTransitive/DiffOpt.Core.props buildTransitive/LinuxLibTorchSharpCompat.targets; do
  grep -qx "$file" <<<"$core_listing" || fail "DiffOpt.Core has no $file"
done
unzip -p "$feed/DiffOpt.Core.$version.nupkg" buildTransitive/DiffOpt.Core.props | grep -q "$libtorch_version" \
  || fail "buildTransitive/DiffOpt.Core.props does not name libtorch $libtorch_version"
ml_range=$(unzip -p "$feed/DiffOpt.ML.$version.nupkg" DiffOpt.ML.nuspec | sed -n 's:.*<dependency id="Microsoft.ML" version="\([^"]*\)".*:\1:p')
[ -n "$ml_range" ] || fail "DiffOpt.ML declares no Microsoft.ML dependency"
echo "  DiffOpt.ML depends on Microsoft.ML $ml_range"
cpu_nuspec=$(unzip -p "$feed/DiffOpt.ML.Cpu.$version.nupkg" DiffOpt.ML.Cpu.nuspec)
grep -q "<dependency id=\"DiffOpt.ML\" version=\"\[$version\]\"" <<<"$cpu_nuspec" || fail "DiffOpt.ML.Cpu does not depend on DiffOpt.ML $version"
grep -q "<dependency id=\"libtorch-cpu\" version=\"$libtorch_version\"" <<<"$cpu_nuspec" || fail "DiffOpt.ML.Cpu does not depend on libtorch-cpu $libtorch_version"

app=$work/app
mkdir -p "$app"
# Stop MSBuild's and NuGet's upward search at the temp folder: the app sees nothing of this repository.
echo '<Project />' >"$work/Directory.Build.props"
echo '<Project />' >"$work/Directory.Build.targets"
echo '<Project />' >"$work/Directory.Packages.props"
cat >"$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
  <fallbackPackageFolders>
    <add key="machine" value="$global_packages" />
  </fallbackPackageFolders>
</configuration>
XML
cat >"$app/ConsumerCheck.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="DiffOpt.ML" Version="$version" />
  </ItemGroup>
</Project>
XML
cp "$root/build/consumer-check/Program.cs" "$app/Program.cs"

step "building the app with DiffOpt.ML only (must fail, naming $runtime)"
if dotnet build "$app" -c Release -nologo >"$work/build-no-runtime.log" 2>&1; then
  cat "$work/build-no-runtime.log"; fail "the build without a libtorch runtime succeeded"
fi
grep -q "DIFFOPT001" "$work/build-no-runtime.log" && grep -q "dotnet add package $runtime --version $libtorch_version" "$work/build-no-runtime.log" \
  || { cat "$work/build-no-runtime.log"; fail "the build failed, but not with DiffOpt's message naming $runtime $libtorch_version"; }
grep -m1 "DIFFOPT001" "$work/build-no-runtime.log" | sed 's/^ *//; s/^/  > as expected: /'

step "adding $runtime $libtorch_version and building"
sed -i "s|<PackageReference Include=\"DiffOpt.ML\" Version=\"$version\" />|&\n    <PackageReference Include=\"$runtime\" Version=\"$libtorch_version\" />|" "$app/ConsumerCheck.csproj"
dotnet build "$app" -c Release -nologo -o "$app/out" >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "dotnet build of the consumer app"; }
if [ "$runtime" = libtorch-cpu-linux-x64 ]; then
  grep -m1 -o "DiffOpt: marked the GLIBCXX_3.4.32 version need.*" "$work/build.log" | sed 's/^/  > /' \
    || echo "  (libLibTorchSharp.so needed no GLIBCXX_3.4.32 change)"
fi
out_size=$(du -sm "$app/out" | cut -f1)

step "training, saving and predicting (process 1)"
dotnet "$app/out/ConsumerCheck.dll" train "$work" || fail "the train run"
step "loading and predicting (process 2)"
dotnet "$app/out/ConsumerCheck.dll" predict "$work" || fail "the predict run"
[ -s "$work/predictions-train.txt" ] || fail "no predictions written"
cmp "$work/predictions-train.txt" "$work/predictions-predict.txt" \
  || { diff "$work/predictions-train.txt" "$work/predictions-predict.txt" | head; fail "the loaded model predicts differently"; }
if [ "$platform" = Linux-x86_64 ]; then
  step "first use in a fresh process: DiffOpt.Core's ReadyToRun image, then its IL in the image's place (3 pairs)"
  cp -al "$app/out" "$app/out-il" # hard links: the 0.5 GB of natives are not copied; the one file replaced is unlinked first
  rm "$app/out-il/runtimes/linux-x64/lib/net10.0/DiffOpt.Core.dll"
  cp "$app/out/DiffOpt.Core.dll" "$app/out-il/runtimes/linux-x64/lib/net10.0/DiffOpt.Core.dll"
  for pair in 1 2 3; do
    for variant in out out-il; do
      first_use=$(dotnet "$app/$variant/ConsumerCheck.dll" first-use) || fail "the first-use run ($variant)"
      echo "  > $(tr '\n' ' ' <<<"$first_use")"
      if [ "$variant" = out ]; then
        grep -q "DiffOpt.Core image: ReadyToRun (runtimes/linux-x64/lib/net10.0/DiffOpt.Core.dll)" <<<"$first_use" \
          || fail "the host did not load DiffOpt.Core's linux-x64 ReadyToRun image"
      fi
    done
  done
fi
step "passed: $(wc -l <"$work/predictions-train.txt") predictions identical across processes; app output ${out_size} MB; $((SECONDS - start)) s"
