# clickledger: the commands a newcomer needs. `make` alone lists them.
# Every Java step runs on a JDK 21+ found by scripts/find-jdk.sh (JAVA_HOME when it qualifies).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.PHONY: help run test build clean outdated backup restore pg-client export import bench drills docs

# Recipes that need Java start with this: it exports JAVA_HOME or stops with the reason.
WITH_JDK = JAVA_HOME="$$(scripts/find-jdk.sh)"; export JAVA_HOME;

help: ## list the targets
	@echo "clickledger"
	@echo
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /  make \1\t/' | expand -t 22
	@echo
	@echo "See README.md, and docs/ for configuration and operations."

run: ## build if needed, then start the embedded database (unless DATABASE_URL is set), api, router and portal
	@scripts/run.sh

test: ## every test of every module, against a real PostgreSQL
	@$(WITH_JDK) ./mvnw -B verify

build: ## build the service jars (router, api, portal, dev database) without running tests
	@$(WITH_JDK) ./mvnw -B -q package -DskipTests

docs: ## rewrite docs/configuration.md from the settings the services declare
	@$(WITH_JDK) ./mvnw -B -q verify -pl docsgen -am -Dtest=ConfigurationReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -Dclickledger.docs.write=true

clean: ## delete build output (keeps .data/ and backups/)
	@$(WITH_JDK) ./mvnw -B -q clean

outdated: ## dependencies and plugins with newer releases on Maven Central (changes nothing)
	@scripts/outdated.sh

backup: ## pg_dump (custom format) of DATABASE_URL, or the embedded database, to backups/, with the storage (STORAGE_KIND=fs) beside it
	@scripts/db.sh backup

restore: ## FILE=backups/clickledger-….dump: replace the database's schema with the backup, in one transaction, and the storage with the one beside it
	@scripts/db.sh restore "$(FILE)"

pg-client: ## the PostgreSQL client tools of MAJOR (17): Debian 12 gets Debian 13's into .data/ (backup does this itself)
	@scripts/pg-client.sh $(or $(MAJOR),17)

export: ## the data to exports/ as JSON Lines in a zip (FORMAT=csv|sql, PROGRAM=id, TABLES=click,event, OUT=file)
	@scripts/data.sh export

import: ## FILE=…: a clickledger export (zip) or OpenPartner's JSON export, ids kept, conflicts skipped and counted
	@scripts/data.sh import "$(FILE)"

bench: ## load test on this machine (installs wrk, nginx, pgbouncer when missing); writes docs/PERFORMANCE.md
	@bench/run.sh

drills: ## survival drills: PostgreSQL outage, kill -9, full spool disk, slow database; adds them to docs/PERFORMANCE.md
	@bench/drills.sh
