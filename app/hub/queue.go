package hub

import "sync"

// userQueues runs work for each user in order, off the caller's goroutine.
// enqueue never blocks: it appends to the user's queue and, when no worker
// is draining that queue, starts one. A worker hands the jobs it finds to
// run in batches and exits when the queue is empty, so idle users cost
// nothing and per-user order is kept while users proceed in parallel.
//
// A queue is bounded by limit: past it, further jobs are discarded and run
// receives one overflow job instead after the kept ones, so the consumer can
// resynchronise (for the hub: a reload frame with the current count).
type userQueues struct {
	run   func(userID string, jobs []job)
	limit int

	mu     sync.Mutex
	queues map[string]*userQueue
	closed bool
	wg     sync.WaitGroup
}

type userQueue struct {
	jobs     []job
	overflow bool
}

func newUserQueues(limit int, run func(userID string, jobs []job)) *userQueues {
	return &userQueues{run: run, limit: max(limit, 1), queues: map[string]*userQueue{}}
}

// enqueue adds j to userID's queue. It reports false after close.
func (q *userQueues) enqueue(userID string, j job) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	uq, running := q.queues[userID]
	if !running {
		uq = &userQueue{}
		q.queues[userID] = uq
		q.wg.Add(1)
		go q.drain(userID, uq)
	}
	if len(uq.jobs) >= q.limit {
		uq.overflow = true
		return true
	}
	uq.jobs = append(uq.jobs, j)
	return true
}

// drain is the worker of one user's queue.
func (q *userQueues) drain(userID string, uq *userQueue) {
	defer q.wg.Done()
	for {
		q.mu.Lock()
		jobs, overflow := uq.jobs, uq.overflow
		uq.jobs, uq.overflow = nil, false
		if len(jobs) == 0 && !overflow {
			delete(q.queues, userID)
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		if overflow {
			jobs = append(jobs, job{kind: jobResync})
		}
		q.run(userID, jobs)
	}
}

// close refuses new jobs and waits for the workers to finish what they hold.
func (q *userQueues) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.wg.Wait()
}
