package hooks

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/ingest"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

const sourceGitHub = "github"

// githubPayload holds what Belfry reads of GitHub's webhook events.
type githubPayload struct {
	Action     string      `json:"action"`
	Repository *githubRepo `json:"repository"`
	Sender     githubUser  `json:"sender"`
	// push
	Ref     string         `json:"ref"`
	Created bool           `json:"created"`
	Deleted bool           `json:"deleted"`
	Forced  bool           `json:"forced"`
	Compare string         `json:"compare"`
	Commits []githubCommit `json:"commits"`
	Pusher  struct {
		Name string `json:"name"`
	} `json:"pusher"`
	PullRequest *githubItem            `json:"pull_request"`
	Issue       *githubItem            `json:"issue"`
	Release     *githubRelease         `json:"release"`
	WorkflowRun *githubRun             `json:"workflow_run"`
	CheckRun    *githubCheckRun        `json:"check_run"`
	Workflow    *struct{ Name string } `json:"workflow"`
}

type githubRepo struct {
	FullName string `json:"full_name"`
	HTMLURL  string `json:"html_url"`
}

type githubUser struct {
	Login string `json:"login"`
}

type githubCommit struct {
	ID      string `json:"id"`
	Message string `json:"message"`
	Author  struct {
		Name string `json:"name"`
	} `json:"author"`
}

// githubItem is a pull request or an issue.
type githubItem struct {
	Number  int        `json:"number"`
	Title   string     `json:"title"`
	Body    string     `json:"body"`
	HTMLURL string     `json:"html_url"`
	Merged  bool       `json:"merged"`
	User    githubUser `json:"user"`
}

type githubRelease struct {
	TagName    string `json:"tag_name"`
	Name       string `json:"name"`
	Body       string `json:"body"`
	HTMLURL    string `json:"html_url"`
	Prerelease bool   `json:"prerelease"`
}

type githubRun struct {
	Name         string     `json:"name"`
	DisplayTitle string     `json:"display_title"`
	HeadBranch   string     `json:"head_branch"`
	Event        string     `json:"event"`
	Conclusion   string     `json:"conclusion"`
	RunNumber    int        `json:"run_number"`
	HTMLURL      string     `json:"html_url"`
	Actor        githubUser `json:"actor"`
}

type githubCheckRun struct {
	Name       string `json:"name"`
	Conclusion string `json:"conclusion"`
	HTMLURL    string `json:"html_url"`
	Output     struct {
		Title   string `json:"title"`
		Summary string `json:"summary"`
	} `json:"output"`
	CheckSuite struct {
		HeadBranch string `json:"head_branch"`
	} `json:"check_suite"`
}

// eventName is the shape of X-GitHub-Event.
var eventName = regexp.MustCompile(`^[a-z][a-z_]{0,63}$`)

// maxCommitsShown bounds the commits a push notification lists.
const maxCommitsShown = 10

// handleGitHub is POST /api/v1/hooks/github: a GitHub repository or
// organisation webhook, JSON or form-encoded (GitHub's default), with the
// token in ?token= and, when the token has a secret, X-Hub-Signature-256
// checked over the raw body. ping and the events and actions Belfry does
// not notify answer 200 with why.
func (s *Service) handleGitHub(c *gin.Context) {
	publisher, tok := caller(c)
	ctx := c.Request.Context()
	t, err := targetOf(c, sourceGitHub)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	body, err := readBody(c, MaxBody)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	m, err := s.mappingOf(ctx, publisher, tok)
	if err == nil {
		err = checkSignature(m, body, c.GetHeader(SignatureHeader))
	}
	if err != nil {
		web.WriteError(c, err)
		return
	}
	event := c.GetHeader("X-GitHub-Event")
	if !eventName.MatchString(event) {
		web.WriteError(c, app.Errorf(app.EINVALID, "The X-GitHub-Event header must name the event (push, pull_request …), not %q.", clipText(event, 64)))
		return
	}
	raw, err := githubJSON(c.ContentType(), body)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	var p githubPayload
	if err := decode(raw, &p); err != nil {
		web.WriteError(c, err)
		return
	}
	msg, ignored := githubMessage(event, &p)
	if ignored != "" {
		(&answer{Ignored: ignored}).write(c)
		return
	}
	msg.Source, msg.Topic, msg.Type = sourceGitHub, t.topic, t.typ
	msg.Data = boundData(map[string]any{"event": event, "action": p.Action, "delivery": c.GetHeader("X-GitHub-Delivery"),
		"repository": repoName(&p), "sender": p.Sender.Login})
	if p.Repository != nil && p.Repository.FullName != "" {
		msg.Object = &app.ObjectRef{AppLabel: sourceGitHub, ModelName: "repository", ObjectID: clipText(p.Repository.FullName, 200)}
	}
	s.publishOne(c, publisher, msg)
}

// githubJSON returns the event's JSON: the body, or the payload field of
// a form-encoded delivery.
func githubJSON(contentType string, body []byte) ([]byte, error) {
	if contentType != "application/x-www-form-urlencoded" {
		return body, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		return nil, app.Errorf(app.EINVALID, "A form-encoded GitHub delivery carries its JSON in the payload field.")
	}
	return []byte(form.Get("payload")), nil
}

func repoName(p *githubPayload) string {
	if p.Repository == nil || p.Repository.FullName == "" {
		return "GitHub"
	}
	return p.Repository.FullName
}

func repoURL(p *githubPayload) string {
	if p.Repository == nil {
		return ""
	}
	return p.Repository.HTMLURL
}

// githubMessage maps an event to the message published for it (level,
// title, body, link), or says why it is not notified.
func githubMessage(event string, p *githubPayload) (ingest.Message, string) {
	repo := repoName(p)
	info := func(title, body string, links ...string) ingest.Message {
		return ingest.Message{Level: app.LevelInfo, Title: clipText(title, app.MaxTitleLen),
			Body: clipText(body, app.MaxBodyLen), TargetURL: firstURL(append(links, repoURL(p))...)}
	}
	switch event {
	case "ping":
		return ingest.Message{}, "ping: GitHub checks that the hook answers; nothing is published."
	case "push":
		return info(pushTitle(repo, p), pushBody(p.Commits), p.Compare), ""
	case "pull_request", "issues":
		item, what := p.PullRequest, "pull request"
		if event == "issues" {
			item, what = p.Issue, "issue"
		}
		verb := itemVerb(p.Action, item)
		if item == nil || verb == "" {
			return ingest.Message{}, fmt.Sprintf("%s %s is not notified.", event, p.Action)
		}
		return info(fmt.Sprintf("%s: %s #%d %s: %s", repo, what, item.Number, verb, item.Title),
			bodyAfter(fmt.Sprintf("%s by %s", capitalize(verb), p.Sender.Login), item.Body), item.HTMLURL), ""
	case "release":
		if p.Release == nil || p.Action != "published" {
			return ingest.Message{}, fmt.Sprintf("release %s is not notified; published releases are.", p.Action)
		}
		kind, name := "release", p.Release.Name
		if p.Release.Prerelease {
			kind = "pre-release"
		}
		if strings.TrimSpace(name) == "" {
			name = p.Release.TagName
		}
		return info(fmt.Sprintf("%s: %s %s published", repo, kind, name), p.Release.Body, p.Release.HTMLURL), ""
	case "workflow_run":
		r := p.WorkflowRun
		if r == nil || p.Action != "completed" {
			return ingest.Message{}, fmt.Sprintf("workflow_run %s is not notified; completed runs are.", p.Action)
		}
		m := info(fmt.Sprintf("%s: workflow %s %s on %s", repo, runName(r, p), conclusionVerb(r.Conclusion), r.HeadBranch),
			fmt.Sprintf("%s\nRun #%d, on %s by %s", r.DisplayTitle, r.RunNumber, r.Event, r.Actor.Login), r.HTMLURL)
		m.Level = conclusionLevel(r.Conclusion)
		return m, ""
	case "check_run":
		r := p.CheckRun
		if r == nil || p.Action != "completed" || conclusionLevel(r.Conclusion) == app.LevelInfo {
			return ingest.Message{}, "check_run is notified when a check fails or needs action."
		}
		m := info(fmt.Sprintf("%s: check %s %s on %s", repo, r.Name, conclusionVerb(r.Conclusion), r.CheckSuite.HeadBranch),
			bodyAfter(r.Output.Title, r.Output.Summary), r.HTMLURL)
		m.Level = conclusionLevel(r.Conclusion)
		return m, ""
	}
	title := repo + ": " + event
	if p.Action != "" {
		title += " " + p.Action
	}
	if p.Sender.Login != "" {
		title += " by " + p.Sender.Login
	}
	return info(title, ""), ""
}

// pushTitle says who pushed what where: commits to a branch, a tag, a
// branch created or deleted.
func pushTitle(repo string, p *githubPayload) string {
	who := p.Pusher.Name
	if who == "" {
		who = p.Sender.Login
	}
	ref, what := strings.TrimPrefix(p.Ref, "refs/heads/"), "branch"
	if tag, ok := strings.CutPrefix(p.Ref, "refs/tags/"); ok {
		ref, what = tag, "tag"
	}
	switch {
	case p.Deleted:
		return fmt.Sprintf("%s: %s deleted %s %s", repo, who, what, ref)
	case what == "tag":
		return fmt.Sprintf("%s: %s pushed tag %s", repo, who, ref)
	case p.Created && len(p.Commits) == 0:
		return fmt.Sprintf("%s: %s created branch %s", repo, who, ref)
	}
	s := fmt.Sprintf("%s: %s pushed %s to %s", repo, who, app.Count(len(p.Commits), "commit"), ref)
	if p.Forced {
		s += " (forced)"
	}
	return s
}

// pushBody lists the first commits: short id, first line, author.
func pushBody(commits []githubCommit) string {
	var b strings.Builder
	for i, cm := range commits {
		if i == maxCommitsShown {
			fmt.Fprintf(&b, "… and %d more\n", len(commits)-i)
			break
		}
		first, _, _ := strings.Cut(cm.Message, "\n")
		fmt.Fprintf(&b, "%.7s %s (%s)\n", cm.ID, first, cm.Author.Name)
	}
	return strings.TrimRight(b.String(), "\n")
}

// itemVerb is what happened to a pull request or issue, "" for actions
// that are not notified.
func itemVerb(action string, item *githubItem) string {
	switch action {
	case "opened", "reopened":
		return action
	case "closed":
		if item != nil && item.Merged {
			return "merged"
		}
		return "closed"
	case "ready_for_review":
		return "ready for review"
	}
	return ""
}

func runName(r *githubRun, p *githubPayload) string {
	if r.Name != "" {
		return r.Name
	}
	if p.Workflow != nil {
		return p.Workflow.Name
	}
	return "run"
}

// conclusionVerb says how a run or check ended.
func conclusionVerb(c string) string {
	switch c {
	case "success":
		return "succeeded"
	case "failure":
		return "failed"
	case "cancelled":
		return "was cancelled"
	case "timed_out":
		return "timed out"
	case "action_required":
		return "needs action"
	case "startup_failure":
		return "failed to start"
	}
	return "finished (" + c + ")"
}

// conclusionLevel: failures are errors, cancelled runs and those needing
// action warnings, the rest information.
func conclusionLevel(c string) app.Level {
	switch c {
	case "failure", "timed_out", "startup_failure":
		return app.LevelError
	case "cancelled", "action_required":
		return app.LevelWarning
	}
	return app.LevelInfo
}

// bodyAfter is head, then text after a blank line when there is text.
func bodyAfter(head, text string) string {
	if strings.TrimSpace(text) == "" {
		return head
	}
	return head + "\n\n" + text
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
