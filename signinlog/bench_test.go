package signinlog

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/huntbook/huntbook/internal/exportfile"
)

// benchPage is a Graph page of n sign-ins made from the test page's, each
// with its own id.
func benchPage(b *testing.B, n int) []byte {
	b.Helper()
	im := &Import{}
	if err := im.ReadFile(graphPage); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	buf.WriteString(`{"@odata.context": "https://graph.microsoft.com/beta/$metadata#auditLogs/signIns", "value": [`)
	for i := range n {
		s := im.SignIns[i%len(im.SignIns)]
		s.Data.Set("id", fmt.Sprintf("%08x-0000-4000-8000-000000000000", i))
		if i > 0 {
			buf.WriteString(",\n")
		}
		buf.WriteString(exportfile.Text(s.Data))
	}
	buf.WriteString("]}")
	return buf.Bytes()
}

// BenchmarkImport reads a 20,000 sign-in Graph page (about 45 MB: a busy
// tenant's day) and maps it to the tables. Target: under 1.5 s (about 1 s
// on the 2-core CI machine), so the portal's largest download, 100,000
// sign-ins, imports in seconds.
func BenchmarkImport(b *testing.B) {
	data := benchPage(b, 20000)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		var im Import
		if err := im.Read(data, "page.json"); err != nil {
			b.Fatal(err)
		}
		in, non, _ := im.Tables()
		if in.Rows()+non.Rows() != 20000 {
			b.Fatalf("%d rows", in.Rows()+non.Rows())
		}
	}
}

// BenchmarkImportCSV reads the portal's CSV download of 20,000 sign-ins.
func BenchmarkImportCSV(b *testing.B) {
	src, err := os.ReadFile(portalCSV)
	if err != nil {
		b.Fatal(err)
	}
	head, rows, _ := bytes.Cut(src, []byte("\r\n"))
	lines := bytes.Split(bytes.TrimSpace(rows), []byte("\r\n"))
	var buf bytes.Buffer
	buf.Write(head)
	buf.WriteString("\r\n")
	for i := range 20000 {
		l := lines[i%len(lines)]
		// A fresh request id per row (the second field).
		fields := bytes.SplitN(l, []byte(","), 3)
		fmt.Fprintf(&buf, "%s,\"%08x-0000-4000-8000-000000000000\",%s\r\n", fields[0], i, fields[2])
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		var im Import
		if err := im.Read(data, "InteractiveSignIns.csv"); err != nil {
			b.Fatal(err)
		}
		im.Tables()
	}
}
