package graph

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	G "gorgonia.org/gorgonia"
)

// DOT returns the forward graph (inputs to the negative ELBO, or to the
// output for a forward-only network) in Graphviz DOT, one cluster per layer:
// learnables blue, epsilon inputs yellow, sigma nodes purple, the KL, NLL
// and negative-ELBO nodes orange. Render with `dot -Tsvg`. GorgoniaDOT has
// everything, gradient nodes included, in Gorgonia's own format.
func (n *Network) DOT() string {
	root := n.Loss
	if root == nil {
		root = n.Output
	}
	role := map[*G.Node]string{}
	for _, p := range n.Learnables() {
		role[p] = "learnable"
	}
	for _, e := range n.Eps() {
		role[e] = "eps"
	}
	for _, l := range n.Layers {
		role[l.WSigma], role[l.BSigma] = "sigma", "sigma"
	}
	for _, x := range []*G.Node{n.KL, n.NLL, n.Loss} {
		if x != nil {
			role[x] = "objective"
		}
	}

	// Each layer claims the nodes its output and KL reach that no earlier
	// layer claimed; what is left (data, sums, loss) is drawn outside.
	claimed := map[*G.Node]int{}
	for i, l := range n.Layers {
		starts := []*G.Node{l.Out}
		if l.KL != nil {
			starts = append(starts, l.KL)
		}
		n.walk(starts, func(x *G.Node) bool {
			if _, ok := claimed[x]; ok || x == n.X {
				return false
			}
			claimed[x] = i
			return true
		})
	}
	var all []*G.Node
	seen := map[*G.Node]bool{}
	n.walk([]*G.Node{root}, func(x *G.Node) bool {
		if seen[x] {
			return false
		}
		seen[x] = true
		all = append(all, x)
		return true
	})
	sort.Slice(all, func(i, j int) bool { return all[i].ID() < all[j].ID() })

	var b strings.Builder
	b.WriteString("digraph BBB {\n\trankdir=TB;\n\tnode [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"Helvetica\", fontsize=10];\n")
	for i := range n.Layers {
		fmt.Fprintf(&b, "\tsubgraph cluster_layer%d {\n\t\tlabel=\"layer %d\"; style=dashed; color=gray;\n", i, i)
		for _, x := range all {
			if c, ok := claimed[x]; ok && c == i {
				b.WriteString("\t\t" + dotNode(x, role[x]) + "\n")
			}
		}
		b.WriteString("\t}\n")
	}
	for _, x := range all {
		if _, ok := claimed[x]; !ok {
			b.WriteString("\t" + dotNode(x, role[x]) + "\n")
		}
	}
	for _, x := range all {
		for _, c := range n.children(x) {
			fmt.Fprintf(&b, "\tn%d -> n%d;\n", c.ID(), x.ID())
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// GorgoniaDOT is Gorgonia's own dump of the whole graph, made the same
// text for the same graph run after run, so that two graphs can be
// diffed: its node names (Node_ and the node's address) are Node_n and
// the node's ID, other addresses (the values' pointers) "addr", Go's
// "%!s(NIL)" for a node without a value "nil", and each run of its node
// and edge statements, which Gorgonia writes in a map's order, sorted.
func (n *Network) GorgoniaDOT() string {
	names := map[string]string{}
	for _, node := range n.Graph.AllNodes() {
		names[fmt.Sprintf("Node_%p", node)] = "Node_n" + strconv.FormatInt(node.ID(), 10)
	}
	text := nodeName.ReplaceAllStringFunc(n.Graph.ToDot(), func(a string) string {
		if name, ok := names[a]; ok {
			return name
		}
		return a
	})
	text = strings.ReplaceAll(address.ReplaceAllString(text, "addr"), "%!s(NIL)", "nil")
	// A statement is a line starting with a tab, with the lines after it
	// that do not (a node's HTML label); each run of node and edge
	// statements is sorted where it stands (within its subgraph).
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	var out, run []string
	flush := func() {
		sort.Strings(run)
		out, run = append(out, run...), run[:0]
	}
	for i := 0; i < len(lines); {
		j := i + 1
		for j < len(lines) && !strings.HasPrefix(lines[j], "\t") && lines[j] != "}" {
			j++
		}
		if st := strings.Join(lines[i:j], "\n"); strings.HasPrefix(st, "\tNode_") {
			run = append(run, st)
		} else {
			flush()
			out = append(out, st)
		}
		i = j
	}
	flush()
	return strings.Join(out, "\n") + "\n"
}

// nodeName and address are a node's name and a pointer as Gorgonia's DOT
// writes them (some pointers with a trailing x: "%xx" of a number).
var (
	nodeName = regexp.MustCompile(`Node_0x[0-9a-f]+`)
	address  = regexp.MustCompile(`0x[0-9a-f]+x?`)
)

var roleColor = map[string]string{
	"learnable": "#cfe2f3", "eps": "#fff2cc", "sigma": "#d9d2e9", "objective": "#f9cb9c",
}

func dotNode(x *G.Node, role string) string {
	label := x.Name()
	if x.Op() != nil {
		// Gorgonia's elementwise ops print their retSame flag: drop it.
		op := strings.TrimSuffix(strings.TrimSuffix(x.Op().String(), " false"), " true")
		if strings.HasPrefix(label, x.Op().String()) {
			label = op // unnamed op node: the op says it all
		} else {
			label = "<b>" + escape(label) + "</b><br/>" + escape(op)
		}
	}
	if !strings.HasPrefix(label, "<b>") {
		label = escape(label)
	}
	if s := x.Shape(); len(s) > 0 {
		label += fmt.Sprintf("<br/><font point-size=\"8\">%v</font>", s)
	}
	attrs := fmt.Sprintf("label=<%s>", label)
	if c, ok := roleColor[role]; ok {
		attrs += fmt.Sprintf(", fillcolor=\"%s\"", c)
	}
	if x.Op() == nil {
		attrs += ", shape=ellipse"
	}
	return fmt.Sprintf("n%d [%s];", x.ID(), attrs)
}

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// children returns the inputs of x.
func (n *Network) children(x *G.Node) []*G.Node {
	it := n.Graph.From(x.ID())
	var out []*G.Node
	for it.Next() {
		out = append(out, it.Node().(*G.Node))
	}
	return out
}

// walk visits nodes depth-first from starts towards the inputs while visit
// returns true.
func (n *Network) walk(starts []*G.Node, visit func(*G.Node) bool) {
	stack := append([]*G.Node(nil), starts...)
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !visit(x) {
			continue
		}
		stack = append(stack, n.children(x)...)
	}
}

// DrawDOT builds the network c for batches of rows and returns its
// drawing: the forward graph (DOT), or with grad the whole graph,
// gradient nodes included, in Gorgonia's format (GorgoniaDOT). It is what
// bbb dot writes.
func DrawDOT(c Config, rows int, grad bool) (string, error) {
	net, err := New(c, rows)
	if err != nil {
		return "", err
	}
	if !grad {
		return net.DOT(), nil
	}
	if err := net.Differentiate(); err != nil {
		return "", err
	}
	return net.GorgoniaDOT(), nil
}
