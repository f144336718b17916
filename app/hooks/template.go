package hooks

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"text/template"
	"text/template/parse"
	"unicode/utf8"
)

// MaxTemplateLen bounds each template of a mapping.
const MaxTemplateLen = 4 << 10

// A mapping's templates are Go text/template, restricted so that no
// template can make the server work without end or reach anything but the
// posted JSON:
//   - the functions are funcs' (no call), each charging a budget;
//   - no {{define}}, {{block}} or {{template}};
//   - range, with and variables take data — .field, $, $var.field, or
//     index of those — never a computed value, so nothing but the JSON is
//     ever iterated (no ranging over numbers);
//   - inside a range, range and with take only data below the current
//     element (. and .field), so nested loops walk disjoint parts of the
//     JSON and all loops together take time linear in its size;
//   - what a template prints is cut at its field's limit.

// parseTemplate parses and checks one template of a mapping, and makes
// each printing action print through show.
func parseTemplate(name, src string) (*template.Template, error) {
	if len(src) > MaxTemplateLen {
		return nil, invalidf("The %s template is longer than %d bytes.", name, MaxTemplateLen)
	}
	if !utf8.ValidString(src) {
		return nil, invalidf("The %s template is not valid UTF-8.", name)
	}
	t, err := template.New(name).Funcs(funcs(nil)).Parse(src)
	if err != nil {
		return nil, invalidf("The %s template does not parse: %s.", name, strings.TrimPrefix(err.Error(), "template: "))
	}
	if len(t.Templates()) > 1 || t.Tree == nil {
		return nil, invalidf("The %s template may not define templates ({{define}} or {{block}}).", name)
	}
	if err := check(t.Tree.Root, false); err != nil {
		return nil, invalidf("The %s template %s.", name, err)
	}
	showActions(t.Tree, t.Tree.Root)
	return t, nil
}

// check enforces the rules above on a parse tree; inLoop says whether n is
// inside a range.
func check(n parse.Node, inLoop bool) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := check(c, inLoop); err != nil {
				return err
			}
		}
	case *parse.ActionNode:
		return checkDecl(n.Pipe, inLoop)
	case *parse.IfNode:
		return checkBranch(&n.BranchNode, inLoop, inLoop, false)
	case *parse.WithNode:
		return checkBranch(&n.BranchNode, inLoop, inLoop, true)
	case *parse.RangeNode:
		return checkBranch(&n.BranchNode, inLoop, true, true)
	case *parse.TemplateNode:
		return errors.New("may not call templates ({{template}})")
	}
	return nil
}

// checkBranch checks an if, with or range: the pipeline (data when it
// sets dot), then the body (inside a loop for a range) and the else.
func checkBranch(b *parse.BranchNode, inLoop, bodyInLoop, setsDot bool) error {
	if setsDot {
		if err := checkData(b.Pipe, inLoop, b.NodeType); err != nil {
			return err
		}
	} else if err := checkDecl(b.Pipe, inLoop); err != nil {
		return err
	}
	if err := check(b.List, bodyInLoop); err != nil {
		return err
	}
	return check(b.ElseList, inLoop)
}

// checkDecl requires a pipeline that declares or assigns variables to
// take data.
func checkDecl(p *parse.PipeNode, inLoop bool) error {
	if p == nil || len(p.Decl) == 0 {
		return nil
	}
	return checkData(p, inLoop, parse.NodeAction)
}

// checkData requires p to be one data reference: .field, . or, outside
// loops, $ or $var.field; or index of one of those.
func checkData(p *parse.PipeNode, inLoop bool, what parse.NodeType) error {
	verb := map[parse.NodeType]string{parse.NodeRange: "range over", parse.NodeWith: "use with on", parse.NodeAction: "set variables to"}[what]
	if len(p.Cmds) != 1 || len(p.Cmds[0].Args) == 0 {
		return fmt.Errorf("may %s data only (.field, $, $var), not %s", verb, p)
	}
	args := p.Cmds[0].Args
	if id, ok := args[0].(*parse.IdentifierNode); ok && id.Ident == "index" && len(args) >= 2 {
		args = args[1:]
	} else if len(args) != 1 {
		return fmt.Errorf("may %s data only (.field, $, $var, index), not %s", verb, p)
	}
	switch args[0].(type) {
	case *parse.FieldNode, *parse.DotNode:
		return nil
	case *parse.VariableNode:
		if !inLoop {
			return nil
		}
		return fmt.Errorf("may, inside a range, %s the current element only (. or .field), not %s", verb, p)
	}
	return fmt.Errorf("may %s data only (.field, $, $var), not %s", verb, p)
}

// showActions makes every printing action of the tree end in show, so
// that null and missing fields print nothing and objects print as JSON.
func showActions(t *parse.Tree, n parse.Node) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			showActions(t, c)
		}
	case *parse.ActionNode:
		if len(n.Pipe.Decl) == 0 {
			show := parse.NewIdentifier("show").SetTree(t).SetPos(n.Pos)
			n.Pipe.Cmds = append(n.Pipe.Cmds, &parse.CommandNode{NodeType: parse.NodeCommand, Pos: n.Pos, Args: []parse.Node{show}})
		}
	case *parse.IfNode:
		showActions(t, n.List)
		showActions(t, n.ElseList)
	case *parse.WithNode:
		showActions(t, n.List)
		showActions(t, n.ElseList)
	case *parse.RangeNode:
		showActions(t, n.List)
		showActions(t, n.ElseList)
	}
}

var errFull = errors.New("output limit reached")

// limitWriter keeps at most max bytes and then fails the template.
type limitWriter struct {
	buf  bytes.Buffer
	max  int
	full bool
}

func (w *limitWriter) Write(p []byte) (int, error) {
	if room := w.max - w.buf.Len(); len(p) > room {
		w.buf.Write(p[:max(room, 0)])
		w.full = true
		return 0, errFull
	}
	return w.buf.Write(p)
}

// execute runs the template name of set on input, writing at most max
// bytes; full says the output was cut.
func execute(set *template.Template, name string, input any, max int) (out string, full bool, err error) {
	w := &limitWriter{max: max}
	err = set.ExecuteTemplate(w, name, input)
	if errors.Is(err, errFull) {
		err = nil
	}
	return w.buf.String(), w.full, err
}
