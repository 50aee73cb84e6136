package flow

// flowList is an intrusive doubly linked list of flows ordered by last
// activity, oldest first. Each timeout class has one, so the flows due to
// expire are always at the front and expiry never scans the whole table.
type flowList struct {
	head, tail *Flow
	len        int
}

func (l *flowList) pushBack(f *Flow) {
	f.list, f.prev, f.next = l, l.tail, nil
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
	f.prev, f.next, f.list = nil, nil, nil
	l.len--
}

// touch moves f to the back of l, taking it off whatever list it was on.
func (l *flowList) touch(f *Flow) {
	if f.list == l && l.tail == f {
		return
	}
	if f.list != nil {
		f.list.remove(f)
	}
	l.pushBack(f)
}
