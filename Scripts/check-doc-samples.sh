#!/usr/bin/env bash
# Checks that the Swift code samples in README.md and Documentation/*.md
# compile against this checkout of the SDK.
#
# Convention for fenced code blocks in the articles:
#   ```swift          a sample that must compile. It becomes the body of
#                     `func sampleN() async throws { ... }` in a file of its
#                     own, so top-level statements, `try` and `await` work.
#                     `import` lines are hoisted to the top of that file;
#                     every file imports Containment, so a sample may omit it.
#                     Blocks do not share variables: each stands alone.
#   ```swift-package  a Package.swift fragment: not compiled.
#   ```swift-decl     declarations (a type, a top-level function): compiled
#                     at file scope, each block in a file of its own.
#   ```text, ```sh    anything else: not compiled.
# A sample that must not compile (it shows an error) belongs in ```text.
#
# The samples go into a throwaway package under a temporary directory,
# removed on exit, which depends on this checkout by path and builds with
# `swift build`. Its scratch path is .build/doc-samples inside the checkout,
# so a second run rebuilds only the samples, and dependencies resolve as the
# SDK's own do (git, with the machine's mirror of github.com), offline.
#
#   Scripts/check-doc-samples.sh          build the samples
#   KEEP=1 Scripts/check-doc-samples.sh   keep the package and print its path
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/doc-samples.XXXXXX")
if [ "${KEEP:-}" = 1 ]; then echo "doc samples: package kept at $work"; else trap 'rm -rf "$work"' EXIT; fi

mkdir -p "$work/Sources/DocSamples"
cat > "$work/Package.swift" <<EOF
// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "doc-samples",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "swift-containment", path: "$root")],
    targets: [
        .target(name: "DocSamples", dependencies: [
            .product(name: "Containment", package: "swift-containment"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
EOF
# The same dependency versions as the SDK's own build, when it has resolved.
[ -f "$root/Package.resolved" ] && cp "$root/Package.resolved" "$work/"

# One file per ```swift or ```swift-decl block, named after its source and
# line so a compiler error points back at the article.
count=0
for doc in "$root/README.md" "$root"/Documentation/*.md; do
  count=$((count + $(awk -v out="$work/Sources/DocSamples" -v doc="${doc#"$root"/}" '
    function flush(   name, file, i) {
      n++
      name = doc; gsub(/[^A-Za-z0-9]/, "_", name)
      file = out "/" name "_" start ".swift"
      printf "// %s:%d\nimport Containment\n", doc, start > file
      for (i = 1; i <= nimports; i++) print imports[i] > file
      if (kind == "swift") printf "func sample_%s_%d() async throws {\n", name, start > file
      for (i = 1; i <= nbody; i++) print body[i] > file
      if (kind == "swift") print "}" > file
      close(file)
    }
    inblock && /^```[ \t]*$/ { inblock = 0; flush(); next }
    inblock {
      if (kind == "swift" && $0 ~ /^[ \t]*(@preconcurrency[ \t]+)?import[ \t]/) imports[++nimports] = $0
      else body[++nbody] = $0
      next
    }
    /^```swift[ \t]*$/      { inblock = 1; kind = "swift"; start = NR; nimports = 0; nbody = 0; next }
    /^```swift-decl[ \t]*$/ { inblock = 1; kind = "decl"; start = NR; nimports = 0; nbody = 0; next }
    END { print n + 0 }
  ' "$doc")))
done
echo "doc samples: $count blocks from README.md and Documentation/*.md"
[ "$count" -gt 0 ] || { echo "doc samples: no \`\`\`swift blocks found" >&2; exit 1; }

# Samples may leave values unused; everything else must be clean.
if swift build --package-path "$work" --scratch-path "$root/.build/doc-samples" \
     -Xswiftc -suppress-warnings 2>&1 | sed "s|$work/Sources/DocSamples/|samples/|"; then
  echo "doc samples: all compile"
else
  echo "doc samples: FAILED (a file's name gives the article and the line of its block)" >&2
  exit 1
fi
