#!/bin/sh
# bench/ckan-pgurl.sh: how ckan-pgurl compares with what a user would run
# instead (crudini) and with the floors it is designed against: /bin/true
# for reads, which never load libpq, and a program that merely links libpq
# for set, which loads it to verify the edit (design.md, "Start-up cost").
# Three hyperfine runs on a realistic CKAN ini: get, set, and get on a
# 100 000-line file.  It reports; it never fails on a missed target, but
# marks it MISSED.  Builds nothing of ours: run make first (done here when
# the binary is absent).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
P=$BUILD/bin/ckan-pgurl

# --- what the benchmark needs
# shellcheck disable=SC1091 # bench/lib.sh, checked on its own
. "$ROOT/bench/lib.sh"
need hyperfine hyperfine
need crudini crudini
need python3 python3
need cc gcc
need pg_config libpq-dev
PQINC=$(pg_config --includedir)
if [ ! -f "$PQINC/libpq-fe.h" ] && [ "$(id -u)" = 0 ]; then
	echo "bench: installing libpq-dev" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q libpq-dev >/dev/null
fi
[ -f "$PQINC/libpq-fe.h" ] || { echo "bench: libpq-fe.h is missing (apt-get install libpq-dev)" >&2; exit 2; }
if [ ! -x "$P" ]; then
	make -C "$ROOT" --no-print-directory BUILD="$BUILD" all >&2
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/bench-ckan-pgurl.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

# --- the libpq floor: the cheapest program that links libpq
cat >"$T/pqfloor.c" <<'EOF'
#include <libpq-fe.h>

int main(void)
{
	return PQlibVersion() > 0 ? 0 : 1;
}
EOF
cc -O2 -I"$PQINC" -o "$T/pqfloor" "$T/pqfloor.c" -lpq

# --- a CKAN 2.9 deployment ini (deployment.ini_tmpl as "ckan generate
# config" fills it in), with the DataStore enabled and explicit ports
ini_head() {
	cat <<'EOF'
#
# CKAN - Pylons configuration
#
# These are some of the configuration options available for your CKAN
# instance. Check the documentation in 'doc/configuration.rst' or at the
# following URL for a description of what they do and the full list of
# available options:
#
# http://docs.ckan.org/en/latest/maintaining/configuration.html
#
# The %(here)s variable will be replaced with the parent directory of this file
#

[DEFAULT]

# WARNING: *THIS SETTING MUST BE SET TO FALSE ON A PUBLIC ENVIRONMENT*
# With debug mode enabled, a visitor to your site could execute malicious commands.
debug = false

[app:main]
use = egg:ckan

## Development settings
ckan.devserver.host = localhost
ckan.devserver.port = 5000


## Session settings
cache_dir = /tmp/%(ckan.site_id)s/
beaker.session.key = ckan

# This is the secret token that the beaker library uses to hash the cookie sent
# to the client. `ckan generate config` generates a unique value for this each
# time it generates a config file.
beaker.session.secret = 3Jq6bV0cQkS2fYt9WzL1mN4pR7xA8dE5

# `ckan generate config` generates a unique value for this each time it generates
# a config file.
app_instance_uuid = 6f1c2d0e-4b7a-4e39-9c55-0d8f2a1b3c4e

# repoze.who config
who.config_file = %(here)s/who.ini
who.log_level = warning
who.log_file = %(cache_dir)s/who_log.ini
# Session timeout (user logged out after period of inactivity, in seconds).
# Inactive by default, so the session doesn't expire.
# who.timeout = 86400

EOF
}

ini_tail() {
	cat <<'EOF'
## Database Settings
sqlalchemy.url = postgresql://ckan_default:s3cret@localhost:5432/ckan_default

ckan.datastore.write_url = postgresql://ckan_default:s3cret@localhost:5432/datastore_default
ckan.datastore.read_url = postgresql://datastore_default:r3ad@localhost:5432/datastore_default

# PostgreSQL' full-text search parameters
ckan.datastore.default_fts_lang = english
ckan.datastore.default_fts_index_method = gist


## Site Settings

ckan.site_url = https://data.example.org
#ckan.use_pylons_response_cleanup_middleware = true

## Authorization Settings

ckan.auth.anon_create_dataset = false
ckan.auth.create_unowned_dataset = false
ckan.auth.create_dataset_if_not_in_organization = false
ckan.auth.user_create_groups = false
ckan.auth.user_create_organizations = false
ckan.auth.user_delete_groups = true
ckan.auth.user_delete_organizations = true
ckan.auth.create_user_via_api = false
ckan.auth.create_user_via_web = false
ckan.auth.roles_that_cascade_to_sub_groups = admin
ckan.auth.public_user_details = true
ckan.auth.public_activity_stream_detail = true
ckan.auth.allow_dataset_collaborators = false
ckan.auth.create_default_api_keys = false

## API Token Settings
api_token.nbytes = 60
api_token.jwt.encode.secret = string:3Jq6bV0cQkS2fYt9WzL1mN4pR7xA8dE5
api_token.jwt.decode.secret = string:3Jq6bV0cQkS2fYt9WzL1mN4pR7xA8dE5
api_token.jwt.algorithm = HS256

## API Token: expire_api_token plugin
expire_api_token.default_lifetime = 3600

## Search Settings

ckan.site_id = default
solr_url = http://127.0.0.1:8983/solr/ckan


## Redis Settings

# URL to your Redis instance, including the database to be used.
ckan.redis.url = redis://localhost:6379/0


## CORS Settings

# If cors.origin_allow_all is true, all origins are allowed.
# If false, the cors.origin_whitelist is used.
# ckan.cors.origin_allow_all = true
# cors.origin_whitelist is a space separated list of allowed domains.
# ckan.cors.origin_whitelist = http://example1.com http://example2.com


## Plugins Settings

ckan.plugins = stats text_view image_view recline_view datastore datapusher

# Define which views should be created by default
# (plugins must be loaded in ckan.plugins)
ckan.views.default_views = image_view text_view recline_view

## Front-End Settings

ckan.site_title = CKAN
ckan.site_logo = /base/images/ckan-logo.png
ckan.site_description =
ckan.favicon = /base/images/ckan.ico
ckan.gravatar_default = identicon
ckan.preview.direct = png jpg gif
ckan.preview.loadable = html htm rdf+xml owl+xml xml n3 n-triples turtle plain atom csv tsv rss txt json
ckan.display_timezone = server

## Internationalisation Settings
ckan.locale_default = en
ckan.locale_order = en pt_BR ja it cs_CZ ca es fr el sv sr sr@latin no sk fi ru de pl nl bg ko_KR hu sa sl lv
ckan.locales_offered =
ckan.locales_filtered_out = en_GB

## Feeds Settings

ckan.feeds.authority_name =
ckan.feeds.date =
ckan.feeds.author_name =
ckan.feeds.author_link =

## Storage Settings

ckan.storage_path = /var/lib/ckan
#ckan.max_resource_size = 10
#ckan.max_image_size = 2

## Datapusher settings

ckan.datapusher.formats = csv xls xlsx tsv application/csv application/vnd.ms-excel application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
ckan.datapusher.url = http://127.0.0.1:8800/
ckan.datapusher.assume_task_stale_after = 3600

## Activity Streams Settings

#ckan.activity_streams_enabled = true
#ckan.activity_list_limit = 31
#ckan.activity_streams_email_notifications = true
#ckan.email_notifications_since = 2 days
ckan.hide_activity_from_users = %(ckan.site_id)s


## Email settings

#email_to = errors@example.com
#error_email_from = ckan-errors@example.com
#smtp.server = localhost
#smtp.starttls = False
#smtp.user = username@example.com
#smtp.password = your_password
#smtp.mail_from =
#smtp.reply_to =

## Background Job Settings
ckan.jobs.timeout = 180

## Logging configuration
[loggers]
keys = root, ckan, ckanext, werkzeug

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console

[logger_werkzeug]
level = WARNING
handlers = console
qualname = werkzeug
propagate = 0

[logger_ckan]
level = INFO
handlers = console
qualname = ckan
propagate = 0

[logger_ckanext]
level = DEBUG
handlers = console
qualname = ckanext
propagate = 0

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(asctime)s %(levelname)-5.5s [%(name)s] %(message)s
EOF
}

{ ini_head; ini_tail; } >"$T/base.ini"
# The same file grown to 100 000 lines by plugin settings placed before
# the database URLs, so that every reader must get through them first.
LINES=$(wc -l <"$T/base.ini")
FILL=$((100000 - LINES))
{
	ini_head
	awk -v n="$FILL" 'BEGIN { for (i = 0; i < n; i++) printf "ckanext.bench.setting_%d = value %d\n", i, i }'
	ini_tail
} >"$T/big.ini"

F=$T/ckan.ini
C=$T/crudini.ini
cp "$T/base.ini" "$F"
cp "$T/base.ini" "$C"

# Each tool must read what we think it reads before we time it.
[ "$("$P" -c "$F" get port)" = 5432 ] || { echo "bench: ckan-pgurl get port failed" >&2; exit 2; }
[ "$("$P" -c "$T/big.ini" get port)" = 5432 ] || { echo "bench: ckan-pgurl get port (100k) failed" >&2; exit 2; }
crudini --get "$F" app:main sqlalchemy.url >/dev/null

HF="hyperfine -N --style basic"
# set fsyncs the file and its directory: on a disk that costs more than the
# rest of the run, on tmpfs nothing.  TMPDIR=/dev/shm measures without it.
FSTYPE=$(df -T "$T" 2>/dev/null | awk 'NR == 2 { print $2 }')
[ -n "$FSTYPE" ] || FSTYPE=$(stat -f -c %T "$T" 2>/dev/null || echo unknown)
echo "temporary files in $T ($FSTYPE)"
URL2=postgresql://ckan_default:s3cret@localhost:5433/ckan_default

echo "== get (same file, $LINES lines)"
$HF --warmup 20 --runs 200 --export-json "$T/get.json" \
	-n ckan-pgurl-get "'$P' -c '$F' get port" \
	-n crudini-get "crudini --get '$F' app:main sqlalchemy.url" \
	-n true /bin/true \
	-n libpq-floor "'$T/pqfloor'"

# Each set run starts from a fresh copy, so every timed run really
# rewrites the file: 5432 -> 5433 in the three URLs of one server, and
# back from a copy at 5433.  crudini rewrites its own copy.  The copies are
# synced before the run: otherwise set's fsync would also write the
# harness's own copies to disk (ext4 commits them in the same journal
# transaction) and time the bench instead of the tool.
sed 's/@localhost:5432\//@localhost:5433\//' "$T/base.ini" >"$T/base5433.ini"
B=$T/back.ini
echo "== set (each run from a fresh copy)"
$HF --warmup 20 --runs 200 --export-json "$T/set.json" \
	--prepare "sh -c 'cp \"\$1\" \"\$2\" && sync -f \"\$2\"' cp '$T/base.ini' '$F'" \
	--prepare "sh -c 'cp \"\$1\" \"\$2\" && sync -f \"\$2\"' cp '$T/base5433.ini' '$B'" \
	--prepare "sh -c 'cp \"\$1\" \"\$2\" && sync -f \"\$2\"' cp '$T/base.ini' '$C'" \
	--prepare /bin/true \
	-n ckan-pgurl-set "'$P' -c '$F' set port=5433" \
	-n ckan-pgurl-set-back "'$P' -c '$B' set port=5432" \
	-n crudini-set "crudini --set '$C' app:main sqlalchemy.url $URL2" \
	-n libpq-floor "'$T/pqfloor'"
[ "$("$P" -c "$F" -k read get port)" = 5433 ] || { echo "bench: set did not change the read URL" >&2; exit 2; }
[ "$("$P" -c "$B" -k read get port)" = 5432 ] || { echo "bench: set did not change the read URL back" >&2; exit 2; }

echo "== get on a 100 000-line ini"
$HF --warmup 2 --runs 10 --export-json "$T/big.json" \
	-n ckan-pgurl-get-100k "'$P' -c '$T/big.ini' get port" \
	-n crudini-get-100k "crudini --get '$T/big.ini' app:main sqlalchemy.url"

echo
python3 - "$FSTYPE" "$T/get.json" "$T/set.json" "$T/big.json" <<'EOF'
import json
import sys

fstype = sys.argv[1]
med = {}
for path in sys.argv[2:]:
    with open(path) as f:
        for r in json.load(f)["results"]:
            med[r["command"]] = r["median"] * 1000.0

print("%-22s %10s" % ("command", "median ms"))
for name, ms in med.items():
    print("%-22s %10.2f" % (name, ms))
print()


def report(label, value, unit, target, ok):
    mark = "ok" if ok else "MISSED"
    print("%-44s %8.2f%-3s (target %s) %s" % (label, value, unit, target, mark))


get = med["ckan-pgurl-get"]
r = get / med["true"]
report("get / /bin/true", r, "x", "<= 1.5x", r <= 1.5)
r = med["crudini-get"] / get
report("crudini --get / get", r, "x", ">= 30x", r >= 30)
setm = (med["ckan-pgurl-set"] + med["ckan-pgurl-set-back"]) / 2
r = setm / med["libpq-floor"]
report("set (mean of both directions) / libpq floor", r, "x", "<= 1.5x", r <= 1.5)
print("%-44s %s" % ("", "(set fsyncs twice; the files are on %s)" % fstype))
big = med["ckan-pgurl-get-100k"]
report("get on 100k lines", big, " ms", "<= 10 ms", big <= 10)
print("%-44s %8.2fx" % ("crudini --get / get on 100k lines", med["crudini-get-100k"] / big))
EOF
exit 0
