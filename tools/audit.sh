#!/usr/bin/env bash
# Dependency audit: pip-audit against the pinned versions of
# requirements/constraints.txt (every install uses them, so they are what runs).
#
#   tools/audit.sh            exit 1 if a pinned version has a known vulnerability
#
# The pins are a full freeze, so pip-audit reads them as they are (--no-deps
# --disable-pip): nothing is installed, it takes seconds. When the vulnerability
# service cannot be reached, the audit proves nothing: the script says so loudly
# and exits 0, so that a network failure does not block CI; set
# CRIG_AUDIT_REQUIRE_SERVICE=1 to make it fail instead (e.g. before a release).
#
#   CRIG_AUDIT_SERVICE=osv      ask OSV instead of PyPI (default: pypi)
#   CRIG_AUDIT_IGNORE="ID ..."  vulnerabilities accepted after review (say why in
#                               docs/architecture/security.md)
set -uo pipefail
cd "$(dirname "$0")/.."

PIP_AUDIT=${PIP_AUDIT:-.venv/bin/pip-audit}
PYTHON=${PYTHON:-.venv/bin/python}
SERVICE=${CRIG_AUDIT_SERVICE:-pypi}

report=$(mktemp)
log=$(mktemp)
trap 'rm -f "$report" "$log"' EXIT

ignore=()
for id in ${CRIG_AUDIT_IGNORE:-}; do
    ignore+=(--ignore-vuln "$id")
done

echo "pip-audit: requirements/constraints.txt against the ${SERVICE} vulnerability service"
"$PIP_AUDIT" --requirement requirements/constraints.txt --no-deps --disable-pip \
    --vulnerability-service "$SERVICE" --progress-spinner off \
    --format json --output "$report" "${ignore[@]}" 2>"$log"
status=$?

"$PYTHON" - "$report" "$status" "$log" "${CRIG_AUDIT_REQUIRE_SERVICE:-0}" <<'EOF'
import json
import re
import sys

report_path, status, log_path, require_service = sys.argv[1:]
log = open(log_path, encoding="utf-8", errors="replace").read()
NETWORK = re.compile(
    r"ConnectionError|NameResolution|Max retries|Timeout|timed out|"
    r"ServiceError|HTTPError|SSLError|Temporary failure"
)


def unreachable(why: str) -> int:
    print(f"WARNING: dependency audit NOT DONE: {why}", file=sys.stderr)
    print(
        "WARNING: no package was checked for known vulnerabilities; run "
        "tools/audit.sh again where the service is reachable.",
        file=sys.stderr,
    )
    return 1 if require_service == "1" else 0


try:
    with open(report_path, encoding="utf-8") as handle:
        report = json.load(handle)
except (OSError, ValueError):
    report = None

if report is None:
    if NETWORK.search(log):
        last = [line for line in log.splitlines() if line.strip()][-1:]
        sys.exit(unreachable("the vulnerability service did not answer (" + "".join(last)[:200] + ")"))
    print(log, file=sys.stderr)
    print(f"ERROR: pip-audit failed (exit {status}) without a report.", file=sys.stderr)
    sys.exit(2)

dependencies = report.get("dependencies", [])
vulnerable = [d for d in dependencies if d.get("vulns")]
skipped = [d for d in dependencies if d.get("skip_reason")]

if vulnerable:
    print("ERROR: known vulnerabilities in pinned versions (bump the pin in "
          "pyproject.toml / requirements/constraints.txt with `make lock`):")
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            aliases = ", ".join(vuln.get("aliases") or [])
            print(f"  {dependency['name']}=={dependency['version']}: {vuln['id']}"
                  f"{' (' + aliases + ')' if aliases else ''}; fixed in {fixes}")
    sys.exit(1)

if dependencies and len(skipped) == len(dependencies):
    # A reachable PyPI knows every pinned package: none found means no answer.
    sys.exit(unreachable(f"none of the {len(dependencies)} pinned packages could be "
                         "looked up (" + skipped[0]["skip_reason"] + ")"))

for dependency in skipped:
    print(f"WARNING: not audited: {dependency['skip_reason']}", file=sys.stderr)
audited = len(dependencies) - len(skipped)
print(f"pip-audit: {audited} pinned packages audited, no known vulnerability.")
sys.exit(0)
EOF
