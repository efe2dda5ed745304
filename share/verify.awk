# verify.awk: OLD's and NEW's facts (share/facts-*.sql, "DB KIND OBJECT
# VALUE" tab-separated, sorted) compared.  Prints a line for each difference
# and for each of the differences a version change forces, named with its
# reason ("named"), then a summary; exits 1 when there is any other.
function key(   ) { return $1 FS $2 FS $3 }
NR == FNR { old[key()] = $4; order[++n] = key(); next }
{ new[key()] = $4; if (!(key() in old)) order[++n] = key() }
# why(kind, old, new): the reason a version change forces this difference, or "".
function why(kind, o, w) {
	if (kind == "extension" && o != "(missing)" && w != "(missing)")
		return "the extension is at NEW's version (restore creates, pg_upgrade keeps; ALTER EXTENSION ... UPDATE)"
	if (kind == "password" && o == "md5" && w == "scram-sha-256")
		return "password stored again as scram-sha-256 from the ini (NEW's password_encryption)"
	return ""
}
END {
	diffs = 0; named = 0; tables = 0; rows = 0
	for (i = 1; i <= n; i++) {
		k = order[i]; split(k, f, FS)
		if (f[2] == "rows" && (k in old) && (k in new)) { tables++; split(old[k], c, " "); rows += c[1] }
		o = (k in old) ? old[k] : "(missing)"
		w = (k in new) ? new[k] : "(missing)"
		if (o == w) continue
		r = why(f[2], o, w)
		if (r != "") { named++; line[++nl] = sprintf("named %-18s %-12s %-30s %s -> %s: %s", f[1], f[2], f[3], o, w, r); continue }
		diffs++
		line[++nl] = sprintf("DIFF  %-18s %-12s %-30s OLD %s | NEW %s", f[1], f[2], f[3], o, w)
	}
	for (i = 1; i <= nl; i++) print line[i]
	printf "verify: %d tables (%d rows) compared; %d difference%s, %d named\n", tables, rows, diffs, diffs == 1 ? "" : "s", named
	exit diffs > 0
}
