package flow

// flowList is an intrusive doubly linked list of flows ordered by last
// activity, oldest first. Each timeout class has one, so the flows due to
// expire are always at the front and expiry never scans the whole table.
type flowList struct {
	head, tail *Flow
	len        int
	// id is the list's timeout class plus one, the value of Flow.list for
	// the flows on it.
	id uint8
}

func (l *flowList) pushBack(f *Flow) {
	f.list, f.prev, f.next = l.id, l.tail, nil
	if l.tail != nil {
		l.tail.next = f
	} else {
		l.head = f
	}
	l.tail = f
	l.len++
}

func (l *flowList) remove(f *Flow) {
	if f.prev != nil {
		f.prev.next = f.next
	} else {
		l.head = f.next
	}
	if f.next != nil {
		f.next.prev = f.prev
	} else {
		l.tail = f.prev
	}
	f.prev, f.next, f.list = nil, nil, 0
	l.len--
}

// touch moves f to the back of the list of timeout class c, taking it off
// whatever list it was on.
func (t *Table) touch(c int, f *Flow) {
	l := &t.lists[c]
	if f.list == l.id && l.tail == f {
		return
	}
	t.unlist(f)
	l.pushBack(f)
}

// unlist takes f off its timeout list, if it is on one.
func (t *Table) unlist(f *Flow) {
	if f.list != 0 {
		t.lists[f.list-1].remove(f)
	}
}
