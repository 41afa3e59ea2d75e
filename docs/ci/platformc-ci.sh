#!/bin/sh
# platformc-ci.sh: the platformc steps of a platform repository's CI, for any
# CI system. GitHub Actions users can take docs/ci/github/ instead.
#
#   platformc-ci.sh pr    on a pull request: writes diff.md, the comment to
#                         post (what the change does to every generated
#                         object); fails if the change does not compile
#   platformc-ci.sh main  after a merge to main: fails unless the committed
#                         out/ is what the sources produce, then delivers
#                         it by executing "platformc plan" step by step:
#                         cdk deploy of the stacks needed first, publish of
#                         out/ to the manifest repository, the DNS stacks
#                         once Argo CD has synced, drains, cdk destroy of
#                         the stacks no longer generated (docs/ci/README.md)
#
# Environment:
#   BASE_REF             pr: the branch the pull request goes into (main)
#   LIVE_REF             main: the revision the live platform is at, the
#                        last one delivered (default HEAD~1: one merge, one
#                        delivery; a failed delivery is retried by running
#                        this again with LIVE_REF set to the last good one)
#   MANIFEST_REPO        main: the manifest repository's URL (platform.repo.url)
#   MANIFEST_PATH        main: its folder that holds out/ (platform.repo.path), if not its root
#   PLATFORMC_GIT_TOKEN  main: a token that may push to it (a CI secret)
#   PLATFORMC_WAIT       main: a command that blocks until Argo CD has done
#                        what a step waits for (it gets the step's JSON on
#                        stdin): every Application synced, before the DNS
#                        stacks move traffic; a drain's objects gone, before
#                        stacks are destroyed. For example, with the argocd
#                        CLI logged in:
#                          argocd app wait -l app.kubernetes.io/managed-by=platformc --sync --timeout 1800
#                        Required when the plan has such a step.
#
# Needs, for main, the AWS CDK CLI ("cdk", npm install -g aws-cdk@2) with
# credentials for the platform's accounts, and jq.
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
	platformc plan --base "${LIVE_REF:-HEAD~1}" --format json > plan.json
	jq -c '.steps[]' plan.json > plan-steps.jsonl
	published=no
	while IFS= read -r step; do
		action=$(printf '%s' "$step" | jq -r .action)
		stacks=$(printf '%s' "$step" | jq -r '(.stacks // []) | join(" ")')
		echo "platformc-ci.sh: $action: $(printf '%s' "$step" | jq -r .reason)"
		# A step after the publish waits for Argo CD first: DNS weights
		# move towards synced generations only, and no stack is destroyed
		# before what used it has gone.
		if [ "$published" = yes ] && [ "$action" != publish ]; then
			: "${PLATFORMC_WAIT:?set PLATFORMC_WAIT to a command that waits for Argo CD (see the top of this script)}"
			printf '%s\n' "$step" | sh -c "$PLATFORMC_WAIT"
		fi
		case "$action" in
		deploy)
			# shellcheck disable=SC2086 # one word per stack
			cdk deploy --app out/cdk --exclusively --require-approval never $stacks
			;;
		publish)
			if [ -n "${MANIFEST_PATH:-}" ]; then
				platformc publish --repo "$MANIFEST_REPO" --path "$MANIFEST_PATH"
			else
				platformc publish --repo "$MANIFEST_REPO"
			fi
			published=yes
			;;
		drain) ;; # the wait above is the drain
		destroy)
			# The stacks are gone from out/cdk: destroy them from the
			# cloud assembly of the live revision, which has them.
			live=$(mktemp -d)
			git archive "${LIVE_REF:-HEAD~1}" out/cdk | tar -x -C "$live"
			# shellcheck disable=SC2086
			cdk destroy --app "$live/out/cdk" --exclusively --force $stacks
			rm -rf "$live"
			;;
		*)
			echo "platformc-ci.sh: unknown step $action" >&2
			exit 1
			;;
		esac
	done < plan-steps.jsonl
	;;
*)
	echo "usage: platformc-ci.sh pr|main" >&2
	exit 2
	;;
esac
