package store

// maxBranches caps the OR terms that duckdbFrom turns into a UNION ALL.
// Branch i repeats the i terms before it, so the SQL grows with the square
// of the count.
const maxBranches = 4

// duckdbFrom returns the FROM clause, without the keyword, of the flows a
// scope selects, and its bind arguments. DuckDB pushes a condition on one
// column into the table scan, where it reads the other columns only for
// the rows that match. It cannot push down an OR across columns, such as
// ip = X (client_ip = X OR server_ip = X), and then reads every column of
// every row. So a filter that is an OR of up to maxBranches terms becomes
// a UNION ALL of one scan per term, each term also excluding the rows of
// the terms before it, so that no row appears twice.
func duckdbFrom(s Scope) (string, []any, error) {
	n, err := scopeNode(s)
	if err != nil {
		return "", nil, err
	}
	terms := orTerms(n.and[0])
	if len(terms) < 2 || len(terms) > maxBranches {
		w := &sqlWriter{d: duckdbDialect{}}
		w.where(n)
		return "flows WHERE " + w.String(), w.args, nil
	}
	w := &sqlWriter{d: duckdbDialect{}}
	w.WriteByte('(')
	for i, term := range terms {
		if i > 0 {
			w.WriteString(" UNION ALL ")
		}
		branch := append([]*node{term}, n.and[1:]...)
		for _, before := range terms[:i] {
			branch = append(branch, &node{not: before})
		}
		w.WriteString("SELECT * FROM flows WHERE ")
		w.where(&node{and: branch})
	}
	w.WriteString(") AS flows")
	return w.String(), w.args, nil
}

// orTerms returns the terms of n if it is an OR, looking through ANDs of
// one term, and nil otherwise.
func orTerms(n *node) []*node {
	for len(n.and) == 1 {
		n = n.and[0]
	}
	return n.or
}
