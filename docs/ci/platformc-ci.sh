#!/bin/sh
# platformc-ci.sh: the platformc steps of a platform repository's CI, for any
# CI system. GitHub Actions users can take docs/ci/github/ instead.
#
#   platformc-ci.sh pr    on a pull request: writes diff.md, the comment to
#                         post (what the change does to every generated
#                         object); fails if the change does not compile
#   platformc-ci.sh main  after a merge to main: fails unless the committed
#                         out/ is what the sources produce, then publishes
#                         out/ to the manifest repository
#
# Environment:
#   BASE_REF             pr: the branch the pull request goes into (main)
#   MANIFEST_REPO        main: the manifest repository's URL (platform.repo.url)
#   PLATFORMC_GIT_TOKEN  main: a token that may push to it (a CI secret)
#
# Needs platformc on the PATH, built from its repository at a pinned tag or
# commit (REF):
#   git clone https://github.com/platformc/platformc.git && cd platformc &&
#   git checkout REF && make install && platformc version
# and, for pr, a clone with the base branch's history (not a shallow clone).
set -eu

case "${1:-}" in
pr)
	git fetch --quiet origin "${BASE_REF:-main}"
	if ! platformc diff --base "origin/${BASE_REF:-main}" --format markdown > diff.md 2> errors.txt; then
		cat errors.txt >&2
		{
			printf '### platformc diff\n\nThis change does not compile:\n\n```\n'
			head -c 60000 errors.txt
			printf '```\n'
		} > diff.md
		exit 1
	fi
	echo "diff.md: post it as the pull request's comment (replacing the previous one)"
	;;
main)
	: "${MANIFEST_REPO:?set MANIFEST_REPO to the manifest repository URL}"
	: "${PLATFORMC_GIT_TOKEN:?set PLATFORMC_GIT_TOKEN to a token that may push to it}"
	platformc build --check
	platformc publish --repo "$MANIFEST_REPO"
	;;
*)
	echo "usage: platformc-ci.sh pr|main" >&2
	exit 2
	;;
esac
