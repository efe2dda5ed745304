#!/bin/sh
# ini-python.t: common/ini.c against Python 3's configparser, the reader of
# CKAN >= 2.9.  A seeded generator writes a few hundred ini files full of
# what trips readers up (passwords with ; # % @ : / ? and spaces, %% and
# %(name)s interpolation, continuation lines with blank and comment lines
# inside, mixed-case keys, ':' and '=', lines up to 100 kB, CRLF and lone
# CR, a BOM, no final newline, duplicates, no section header, Unicode
# whitespace).  For every file and for both CKAN 2.10 (keys as written) and
# CKAN 2.9 (keys lower-cased), tests/lib/ini-dump's view of [app:main] must
# equal Python's, byte for byte: every value, or the line of the error.
# A mismatch is "not ok" and the files are kept for diagnosis.
#
# INI_PY_SEED and INI_PY_COUNT change the seed and the number of files.
BUILD=${BUILD:-build}
dump=$BUILD/tests/lib/ini-dump

if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 not found"
	exit 0
fi
if [ ! -x "$dump" ]; then
	echo "Bail out! $dump is not built"
	exit 1
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/ini-python.XXXXXX") || exit 1
case $dir in
/*) ;;
*) dir=$(pwd)/$dir ;;
esac

python3 - "$dir" "${INI_PY_SEED:-20240611}" "${INI_PY_COUNT:-320}" <<'PYTHON' || { echo "Bail out! generator failed"; exit 1; }
import configparser
import os
import random
import sys

out, seed, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)

# Not generated, on purpose:
# - NUL bytes: Python reads them as text, ini.c refuses the file (libpq and
#   C strings cannot carry them; no real ini has one).
# - Non-ASCII capitals in keys: CKAN 2.9 lower-cases keys with str.lower(),
#   ini.c only lower-cases ASCII (no CKAN key is non-ASCII).
# - Values expanding to more than 16 MiB or a million %(name)s references:
#   ini.c stops there, Python would run out of memory.

KEYS = ["sqlalchemy.url", "SQLAlchemy.URL", "ckan.site_url", "Ckan.Site_URL",
        "beaker.session.secret", "Beaker.Session.Secret", "x", "X", "db_pass",
        "DB_Pass", "use", "here", "HERE", "__file__", "my key", "a.b-c_d",
        "clé", "schlüssel", "k[1]", "[k", "dbhost", "DbHost", "ünïcode", "%pct"]
VAR_NAMES = ["x", "X", "db_pass", "DB_Pass", "here", "HERE", "__file__",
             "dbhost", "DbHost", "nope", "my key", "clé", "sqlalchemy.url"]
PW = "abcXYZ019;#%@:/? é中-_.~!$&'*+,"
WS_IN = [" ", "  ", "\t", " \t ", "\x0b", "\x0c", "\x1c", "\x1f", "\u00a0", "\u3000", "\u2003"]
EOLS = ["\n", "\r\n", "\r"]


def rare(p):
    return rng.random() < p


def ws():
    return rng.choice(["", " ", " ", "  ", "\t"] + ([rng.choice(WS_IN)] if rng.random() < 0.15 else []))


def password():
    n = rng.randint(1, 24)
    s = "".join(rng.choice(PW) for _ in range(n))
    # Mostly keep % legal so most values interpolate: double it.
    if rng.random() < 0.85:
        s = s.replace("%", "%%")
    return s.strip() or "p"


def interp_piece():
    r = rng.random()
    if r < 0.4:
        return "%(" + rng.choice(VAR_NAMES) + ")s"
    if r < 0.55:
        return "%%"
    if r < 0.6:
        return rng.choice(["%", "%(x)d", "%()s", "%(x", "%s"])
    return password()


def value():
    r = rng.random()
    if r < 0.3:
        return "postgresql://%s:%s@%s/%s" % (rng.choice(["ckan", "ckan_default", "u%%40x"]), password(),
                                            rng.choice(["localhost", "%(dbhost)s", "db:5432", "[::1]"]),
                                            rng.choice(["ckan", "ckan_test"]))
    if r < 0.55:
        return "".join(interp_piece() for _ in range(rng.randint(1, 4)))
    if r < 0.65:
        return ""
    if r < 0.7:
        # long lines: past libinih's 199 bytes, sometimes up to 100 kB
        n = rng.choice([150, 198, 199, 200, 201, 250, 1000, 5000, 100000])
        return ("v" + "".join(rng.choice(PW) for _ in range(20)).replace("%", "%%")) * (n // 21 + 1)
    if r < 0.8:
        return rng.choice(["true", "false", "10", "%(here)s/storage", "egg:ckan",
                           "config:%(here)s/base.ini", "a ; b", "a;b", "x # y", "\"\""])
    return password()


def key():
    return rng.choice(KEYS)


def continuation(indent):
    lines = []
    for _ in range(rng.randint(1, 4)):
        r = rng.random()
        if r < 0.15:
            lines.append("")
        elif r < 0.22:
            lines.append(rng.choice(["   ", "\t"]))
        elif r < 0.32:
            lines.append(rng.choice(["# comment", "; comment", "  # indented comment", "\t; c"]))
        elif r < 0.36 and indent:
            # shallower than the key: not a continuation, a new key or an error
            lines.append(indent[:-1] + value())
        elif r < 0.40:
            lines.append(indent + rng.choice(["  ", "\u00a0", "\u3000"]) +
                         rng.choice(["[not a section]", "\u00a0# not a comment?", "k = v"]))
        elif r < 0.43:
            lines.append(rng.choice(["\u00a0", "\u2003 \u3000", "\x1c"]))
        else:
            lines.append(indent + rng.choice(["  ", "    ", "\t", " \t", "\u00a0", "\x0c"]) + value())
    return lines


def option_line(used, indent=""):
    # Repeated keys are added on purpose below; here a key is new to its
    # section, though a case variant (a duplicate for CKAN 2.9 only) may be.
    for _ in range(50):
        k = key()
        if k not in used and (k.lower() not in {u.lower() for u in used} or rare(0.25)):
            break
    used.add(k)
    v = value()
    delim = rng.choice(["=", "=", "=", ":"])
    return indent + k + ws() + delim + ws() + v + ws(), indent


def section_lines(name, nopts):
    lines = []
    head = "[" + name + "]"
    r = rng.random()
    if r < 0.05:
        head += " ; trailing comment"
    elif r < 0.08:
        head = ws() + head + ws()
    lines.append(head)
    indent = ""
    used = set()
    for _ in range(nopts):
        r = rng.random()
        if r < 0.08:
            lines.append(rng.choice(["# comment", "; comment", "#key = no", ";" + password()]))
            continue
        if r < 0.12:
            lines.append(rng.choice(["", "   "]))
            continue
        if r < 0.14:
            indent = rng.choice(["", " ", "  ", "\t"])
        line, ind = option_line(used, indent)
        lines.append(line)
        if rng.random() < 0.25:
            lines.extend(continuation(ind))
    return lines


def ascii_swapcase(s):
    # Not str.swapcase(): non-ASCII capitals are out of scope (see above).
    return "".join(c.swapcase() if c.isascii() else c for c in s)


def make_file(i):
    lines = []
    if rare(0.3):
        lines += ["#", "# CKAN configuration", "# The %(here)s variable", "#"]
    if rare(0.03):
        lines.append("orphan = before any section")
    if rare(0.6):
        lines += section_lines("DEFAULT", rng.randint(0, 5))
    if not rare(0.04):
        lines += section_lines("app:main", rng.randint(1, 14))
        if rare(0.08):
            # a %(name)s chain around configparser's depth limit of 10
            n = rng.randint(8, 12)
            lines += ["chain%d = %%(chain%d)s" % (j, j + 1) for j in range(n)] + ["chain%d = end" % n]
    for name in rng.sample(["server:main", "loggers", "handler_console", "app:main", "DEFAULT",
                            "app:main]", "a] [b", "Section"], rng.randint(0, 2)):
        if name == "app:main" and not rare(0.3):
            continue
        lines += section_lines(name, rng.randint(0, 4))
    if rare(0.04):
        lines.insert(rng.randrange(1, len(lines) + 1), rng.choice(
            ["this line has no delimiter", "= empty key", "[]", "[", "  ]"]))
    if rare(0.06) and lines:
        # A duplicate: repeat a key line of [app:main] (or its case variant).
        cand = [j for j, l in enumerate(lines) if "=" in l and not l.startswith(("#", ";"))]
        if cand:
            j = rng.choice(cand)
            dup = lines[j].lstrip()
            lines.insert(rng.randrange(j + 1, len(lines) + 1), ascii_swapcase(dup) if rare(0.5) else dup)
    style = rng.random()
    if style < 0.5:
        eols = ["\n"]
    elif style < 0.7:
        eols = ["\r\n"]
    elif style < 0.8:
        eols = ["\r"]
    else:
        eols = EOLS
    text = "".join(l + rng.choice(eols) for l in lines)
    if rare(0.2):
        text = text.rstrip("\r\n")
    data = text.encode("utf-8")
    if rare(0.03):
        data = b"\xef\xbb\xbf" + data
    if rare(0.02):
        data = data.replace(b"c", b"\xff", 1)   # invalid UTF-8
    return data


def esc(s):
    o = []
    for b in s.encode("utf-8"):
        if b == 0x5c:
            o.append("\\\\")
        elif 0x20 <= b < 0x7f:
            o.append(chr(b))
        else:
            o.append("\\x%02x" % b)
    return "".join(o)


def oracle(path, dialect):
    """What CKAN reads: configparser.ConfigParser() with the defaults CKAN
    passes (here, __file__), optionxform = str for CKAN >= 2.10."""
    here = os.path.dirname(os.path.abspath(path))
    cp = configparser.ConfigParser(defaults={"here": here, "__file__": os.path.abspath(path)})
    if dialect == "2.10":
        cp.optionxform = str
    try:
        with open(path, encoding="utf-8") as fh:
            cp.read_file(fh, source=path)
    except UnicodeDecodeError:
        return "error: any\n"     # Python gives no line for it
    except (configparser.DuplicateSectionError, configparser.DuplicateOptionError) as e:
        return "error: %d\n" % e.lineno
    except configparser.MissingSectionHeaderError as e:
        return "error: %d\n" % e.lineno
    except configparser.ParsingError as e:
        return "error: %d\n" % e.errors[0][0]
    if not cp.has_section("app:main"):
        return "no section\n"
    o = []
    for k in sorted(cp.options("app:main")):
        try:
            o.append(esc(k) + "\t=" + esc(cp.get("app:main", k)) + "\n")
        except configparser.Error:
            o.append(esc(k) + "\t!\n")
    return "".join(o)


for i in range(count):
    path = os.path.join(out, "%03d.ini" % i)
    with open(path, "wb") as fh:
        fh.write(make_file(i))
    for dialect in ("2.10", "2.9"):
        with open(path + "." + dialect + ".py", "w", encoding="ascii", newline="\n") as fh:
            fh.write(oracle(path, dialect))
PYTHON

total=0
for f in "$dir"/*.ini; do
	total=$((total + 1))
done
echo "1..$((total * 2))"
n=0
fail=0
for f in "$dir"/*.ini; do
	for d in 2.10 2.9; do
		n=$((n + 1))
		"$dump" --dialect "$d" "$f" >"$f.$d.out" 2>"$f.$d.err"
		# An error compares by its line only: the messages differ.
		sed 's/^\(error: [0-9]*\):.*/\1/' "$f.$d.out" >"$f.$d.c"
		if cmp -s "$f.$d.c" "$f.$d.py"; then
			echo "ok $n - $(basename "$f") as CKAN $d"
		elif grep -q '^error: any$' "$f.$d.py" && grep -q '^error: ' "$f.$d.c"; then
			echo "ok $n - $(basename "$f") as CKAN $d (invalid UTF-8)"
		else
			fail=$((fail + 1))
			echo "not ok $n - $(basename "$f") as CKAN $d"
			diff -u "$f.$d.py" "$f.$d.c" | head -20 | sed 's/^/# /'
		fi
	done
done
if [ "$fail" -eq 0 ]; then
	rm -rf "$dir"
else
	echo "# $fail mismatches; files kept in $dir (NNN.ini, .VER.py = Python, .VER.out = ini-dump)"
fi
