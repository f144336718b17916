package poll

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/api"
	"github.com/gin-gonic/gin"
)

// Bounds of a bulk acknowledge.
const (
	maxAckIDs      = 100
	maxAckBodySize = 16 << 10 // 100 UUIDs in JSON take under 4 KiB
)

// outcomeInvalid reports an entry of ids that is not a UUID.
const outcomeInvalid = "invalid"

// handleAcknowledgeMany is POST /api/v1/client/notifications/acknowledge
// with {"ids":[…]}: up to 100 distinct ids acknowledged in one transaction.
// It answers 200 with every id's outcome in request order, each id as sent
// (repeats, in any letter case, folded into the first): acknowledged,
// already_responded, not_found, denied (another user's) or invalid (not a
// UUID), and how many were acknowledged. Only a body that is not
// {"ids":[strings]} or holds no or too many ids is refused as a whole.
func (s *Server) handleAcknowledgeMany(c *gin.Context) {
	if err := noQuery(c); err != nil {
		api.WriteError(c, err)
		return
	}
	ids, err := readAckIDs(c)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	results, canonical := foldIDs(ids)
	valid := make([]string, 0, len(canonical))
	for _, r := range results {
		if r.Outcome != outcomeInvalid {
			valid = append(valid, canonical[r.ID])
		}
	}
	outcomes, err := s.d.Notifications.AcknowledgeMany(c.Request.Context(), api.UserFrom(c).ID, valid)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	resp := ackManyResponse{Results: results}
	for i, r := range results {
		if r.Outcome == outcomeInvalid {
			continue
		}
		o, ok := outcomes[canonical[r.ID]]
		if !ok {
			o = app.AckNotFound
		}
		results[i].Outcome = string(o)
		if o == app.AckDone {
			resp.Acknowledged++
			s.publishAcknowledged(c, canonical[r.ID])
		}
	}
	c.JSON(http.StatusOK, resp)
}

// foldIDs returns one result per distinct id, in request order and as
// sent, with outcome "invalid" for those that are not UUIDs and "" for the
// rest, whose canonical forms it maps.
func foldIDs(ids []string) ([]ackResult, map[string]string) {
	results, canonical, seen := make([]ackResult, 0, len(ids)), map[string]string{}, map[string]bool{}
	for _, raw := range ids {
		id, err := parseID(raw)
		key := id
		if err != nil {
			key = "invalid:" + raw
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		r := ackResult{ID: raw}
		if err != nil {
			r.Outcome = outcomeInvalid
		} else {
			canonical[raw] = id
		}
		results = append(results, r)
	}
	return results, canonical
}

// publishAcknowledged announces one acknowledged row with its new state.
// The row is read back after the commit; if it is gone already there is
// nothing left to show.
func (s *Server) publishAcknowledged(c *gin.Context, id string) {
	if s.d.Changes == nil {
		return
	}
	n, err := s.d.Notifications.FindNotification(c.Request.Context(), id)
	if err != nil {
		if app.ErrorKind(err) != app.ENOTFOUND {
			s.log.Warn("poll: read acknowledged notification", "id", id, "err", err)
		}
		return
	}
	s.publish(c, n)
}

// readAckIDs decodes {"ids":[…]} strictly; the caller folds repeats and
// reports outcomes per entry. Errors are EINVALID, or ETOOLARGE
// for a body over maxAckBodySize.
func readAckIDs(c *gin.Context) ([]string, error) {
	var body struct {
		IDs *[]string `json:"ids"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, maxAckBodySize))
	dec.DisallowUnknownFields()
	err := dec.Decode(&body)
	if err == nil {
		if _, extra := dec.Token(); !errors.Is(extra, io.EOF) {
			err = extra
			if err == nil {
				err = errors.New("trailing data")
			}
		}
	}
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, app.Errorf(app.ETOOLARGE, "Request body is larger than %d KiB.", maxAckBodySize>>10)
		}
		return nil, app.Errorf(app.EINVALID, `Request body must be a JSON object {"ids": ["<notification id>", …]} and nothing else.`)
	}
	if body.IDs == nil || len(*body.IDs) == 0 {
		return nil, app.Errorf(app.EINVALID, "Field ids must list 1 to %d notification ids.", maxAckIDs)
	}
	distinct := map[string]bool{}
	for _, id := range *body.IDs {
		distinct[id] = true
	}
	if len(distinct) > maxAckIDs {
		return nil, app.Errorf(app.EINVALID, "Field ids lists %d distinct ids; at most %d can be acknowledged at once.", len(distinct), maxAckIDs)
	}
	return *body.IDs, nil
}
