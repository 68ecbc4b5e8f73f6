package msticconfig

import (
	"net/url"

	"gopkg.in/yaml.v3"
)

// Masked renders the config as YAML with every secret replaced by
// ********: plain values of sensitive keys (see IsSensitiveKey) and
// credentials embedded in URLs. Environment variable and Key Vault
// references are shown as written (they name where a secret lives, not the
// secret) and are never resolved. Comments are dropped, since people
// comment out old keys.
func (c *Config) Masked() ([]byte, error) {
	if c.doc == nil {
		return nil, nil
	}
	cp := copyNode(c.doc, map[*yaml.Node]*yaml.Node{})
	maskNode(cp, false)
	return encode(cp)
}

// copyNode deep-copies a node tree; memo keeps aliases pointing into the
// copy so masking an anchored value masks it everywhere.
func copyNode(n *yaml.Node, memo map[*yaml.Node]*yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	if m, ok := memo[n]; ok {
		return m
	}
	cp := *n
	memo[n] = &cp
	cp.HeadComment, cp.LineComment, cp.FootComment = "", "", ""
	cp.Alias = copyNode(n.Alias, memo)
	cp.Content = make([]*yaml.Node, len(n.Content))
	for i, ch := range n.Content {
		cp.Content[i] = copyNode(ch, memo)
	}
	return &cp
}

// maskNode masks the secrets in n; sensitive says n is the value of a
// sensitive key.
func maskNode(n *yaml.Node, sensitive bool) {
	if n == nil {
		return
	}
	switch n.Kind {
	case yaml.AliasNode:
		maskNode(n.Alias, sensitive)
	case yaml.DocumentNode:
		for _, ch := range n.Content {
			maskNode(ch, false)
		}
	case yaml.MappingNode:
		if sensitive && !isReference(n) {
			setMask(n)
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			maskNode(n.Content[i+1], IsSensitiveKey(n.Content[i].Value))
		}
	case yaml.SequenceNode:
		if sensitive {
			setMask(n)
			return
		}
		for _, ch := range n.Content {
			maskNode(ch, false)
		}
	case yaml.ScalarNode:
		switch {
		case sensitive && !isNull(n) && n.Value != "":
			setMask(n)
		case !sensitive:
			if u, err := url.Parse(n.Value); err == nil && u.User != nil && u.Host != "" {
				if _, has := u.User.Password(); has {
					n.Value = u.Redacted()
				}
			}
		}
	}
}

// isReference reports a {EnvironmentVar: ...} or {KeyVault: ...} mapping.
func isReference(n *yaml.Node) bool {
	if len(n.Content) != 2 {
		return false
	}
	k, v := n.Content[0].Value, deref(n.Content[1])
	return (k == "EnvironmentVar" || k == "KeyVault") && v != nil && v.Kind == yaml.ScalarNode
}

func setMask(n *yaml.Node) {
	n.Kind, n.Tag, n.Value, n.Content, n.Style = yaml.ScalarNode, "!!str", Mask, nil, yaml.DoubleQuotedStyle
}
