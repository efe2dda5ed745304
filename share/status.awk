# status.awk: the steps of a ckan-pg-upgrade state file, each "done" or
# "FAILED" (a failed step that later finished shows done), in the order
# they were first tried.
$1 == "done" || $1 == "failed" {
	s = $2
	for (i = 3; i <= NF; i++) s = s " " $i
	if (!(s in st)) order[++n] = s
	if (st[s] != "done") st[s] = ($1 == "done") ? "done" : "FAILED"
}
END { for (i = 1; i <= n; i++) printf "  %-28s %s\n", order[i], st[order[i]] }
