package main

// orderReport is what the order checks found in one run.
//
// Concurrent publishes have no order of their own: two that overlap in time
// may be delivered either way. What a publisher can rely on, and what the
// checks test, is this: a message whose publish was accepted before another
// one was sent arrives first (Reordered counts the frames that break it), and
// all sockets of one user see that user's messages in one order
// (Inconsistent counts the frames out of line with the user's socket that
// received the most). With one publisher at a time both amount to strict
// publish order.
type orderReport struct {
	Reordered    int
	Inconsistent int
	Duplicates   int
}

// checkOrder runs the checks over the sockets' arrival sequences; starts and
// acks are the publisher's records by sequence number.
func checkOrder(sockets []*socket, starts, acks []int64) orderReport {
	var r orderReport
	seen := make([]bool, len(starts))
	for _, s := range sockets {
		clear(seen)
		var latestStart int64 // the latest send time of a message arrived so far
		for _, seq := range s.seqs {
			if int(seq) < 0 || int(seq) >= len(seen) {
				continue
			}
			if seen[seq] {
				r.Duplicates++
				continue
			}
			seen[seq] = true
			if a := acks[seq]; a != 0 && a < latestStart {
				r.Reordered++
			}
			latestStart = max(latestStart, starts[seq])
		}
	}
	r.Inconsistent = checkConsistency(sockets, len(starts))
	return r
}

// checkConsistency compares each socket with the socket of the same user
// that received the most and counts the frames that arrived out of that
// socket's order.
func checkConsistency(sockets []*socket, total int) int {
	longest := map[int]*socket{}
	for _, s := range sockets {
		if l := longest[s.user]; l == nil || len(s.seqs) > len(l.seqs) {
			longest[s.user] = s
		}
	}
	pos := make([]int32, total)
	bad := 0
	for user, ref := range longest {
		for i := range pos {
			pos[i] = -1
		}
		for i, seq := range ref.seqs {
			if int(seq) >= 0 && int(seq) < total && pos[seq] < 0 {
				pos[seq] = int32(i)
			}
		}
		for _, s := range sockets {
			if s.user != user || s == ref {
				continue
			}
			latest := int32(-1)
			for _, seq := range s.seqs {
				if int(seq) < 0 || int(seq) >= total || pos[seq] < 0 {
					continue
				}
				if pos[seq] < latest {
					bad++
				} else {
					latest = pos[seq]
				}
			}
		}
	}
	return bad
}
