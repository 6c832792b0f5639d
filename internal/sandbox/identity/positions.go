package identity

import (
	"encoding/json"
	"strings"
)

// statementSpans returns the start and end position (1-based line and
// column) of each statement in a policy document's text, as
// SimulatePrincipalPolicy reports them. It returns nil for text it cannot
// walk; a Statement given as one object has one span.
func statementSpans(text string) [][2]positionXML {
	dec := json.NewDecoder(strings.NewReader(text))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil
		}
		if key != "Statement" {
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return nil
			}
			continue
		}
		return elementSpans(text, dec)
	}
	return nil
}

// elementSpans reads the value after the "Statement" key: a list of
// statements or one statement object.
func elementSpans(text string, dec *json.Decoder) [][2]positionXML {
	start := skipSeparators(text, int(dec.InputOffset()))
	if start < len(text) && text[start] != '[' {
		var one json.RawMessage
		if dec.Decode(&one) != nil {
			return nil
		}
		return [][2]positionXML{{position(text, start), position(text, int(dec.InputOffset()))}}
	}
	if _, err := dec.Token(); err != nil {
		return nil
	}
	var spans [][2]positionXML
	for dec.More() {
		from := skipSeparators(text, int(dec.InputOffset()))
		var st json.RawMessage
		if dec.Decode(&st) != nil {
			return nil
		}
		spans = append(spans, [2]positionXML{position(text, from), position(text, int(dec.InputOffset()))})
	}
	return spans
}

// skipSeparators advances past whitespace, colons and commas.
func skipSeparators(text string, i int) int {
	for i < len(text) && strings.ContainsRune(" \t\r\n:,", rune(text[i])) {
		i++
	}
	return i
}

// position converts a byte offset to a 1-based line and column.
func position(text string, offset int) positionXML {
	offset = min(offset, len(text))
	line := 1 + strings.Count(text[:offset], "\n")
	col := offset - strings.LastIndex(text[:offset], "\n")
	return positionXML{Line: line, Column: col}
}
