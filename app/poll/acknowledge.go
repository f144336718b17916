package poll

import (
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// maxAckBodySize bounds the body of a bulk acknowledge: 100 UUIDs in JSON
// take under 4 KiB.
const maxAckBodySize = 16 << 10

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
		web.WriteError(c, err)
		return
	}
	ids, err := readAckIDs(c)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	results, canonical := foldIDs(ids)
	valid := make([]string, 0, len(canonical))
	for _, r := range results {
		if r.Outcome != outcomeInvalid {
			valid = append(valid, canonical[r.ID])
		}
	}
	outcomes, err := s.d.Inbox.AcknowledgeMany(c.Request.Context(), web.UserFrom(c).ID, valid)
	if err != nil {
		web.WriteError(c, err)
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
		id, err := app.ParseID(raw)
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

// readAckIDs decodes {"ids":[…]} strictly; the caller folds repeats and
// reports outcomes per entry. Errors are EINVALID, or ETOOLARGE
// for a body over maxAckBodySize.
func readAckIDs(c *gin.Context) ([]string, error) {
	var body struct {
		IDs *[]string `json:"ids"`
	}
	if err := web.DecodeJSON(c, &body, web.Limit(maxAckBodySize)); err != nil {
		if app.ErrorKind(err) == app.ETOOLARGE {
			return nil, err
		}
		return nil, app.Errorf(app.EINVALID, `%s The body must be a JSON object {"ids": ["<notification id>", …]} and nothing else.`, app.ErrorMessage(err))
	}
	if body.IDs == nil || len(*body.IDs) == 0 {
		return nil, app.Errorf(app.EINVALID, "Field ids must list 1 to %d notification ids.", app.MaxAcknowledgeMany)
	}
	distinct := map[string]bool{}
	for _, id := range *body.IDs {
		distinct[id] = true
	}
	if len(distinct) > app.MaxAcknowledgeMany {
		return nil, app.Errorf(app.EINVALID, "Field ids lists %d distinct ids; at most %d can be acknowledged at once.", len(distinct), app.MaxAcknowledgeMany)
	}
	return *body.IDs, nil
}
