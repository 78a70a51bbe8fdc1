package kinesisapi

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// blobCases are base64 edge cases on which decodeBlob must agree with encoding/base64.
var blobCases = []string{
	"", "QQ==", "QUI=", "QUJD", "QQ", "QQ=", "QQ===", "QR==", "QUJ=", "Q===", "=", "==", "====",
	"QQ==QQ==", "QUJD====", " QUJD", "QUJD ", "QU JD", "QU\tJD", "QUJD\x00", "QUJ-", "QUJ_", "QUJ\xff",
	"QUJDRA==", "QUJDREU=", "QUJDREVG", strings.Repeat("QUJD", 300), strings.Repeat("QUJD", 300) + "QQ==",
	strings.Repeat("QUJD", 300) + "Q", strings.Repeat("QUJD", 300) + "*", strings.Repeat("/+90", 333) + "AB==",
	"AP8A/wD/", "////", "++++",
}

func checkBlob(t *testing.T, src []byte) {
	want := make([]byte, base64.StdEncoding.DecodedLen(len(src)))
	wn, werr := base64.StdEncoding.Decode(want, src)
	got := make([]byte, base64.StdEncoding.DecodedLen(len(src)))
	gn, gerr := decodeBlob(got, src)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%.40q: encoding/base64 error %v, decodeBlob error %v", src, werr, gerr)
	}
	if werr == nil && (wn != gn || !bytes.Equal(want[:wn], got[:gn])) {
		t.Fatalf("%.40q: decodeBlob gave %d bytes %.20x, encoding/base64 %d bytes %.20x", src, gn, got[:gn], wn, want[:wn])
	}
}

// decodeBlob accepts exactly what encoding/base64's StdEncoding accepts (the fast JSON path
// excludes CR and LF before it), and decodes it to the same bytes.
func TestDecodeBlobMatchesEncodingBase64(t *testing.T) {
	for _, c := range blobCases {
		checkBlob(t, []byte(c))
	}
	// Every record size up to 2 KiB, so each tail length meets the vectorized loop.
	for n := 0; n <= 2048; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*131 + n)
		}
		checkBlob(t, []byte(base64.StdEncoding.EncodeToString(b)))
	}
}

func FuzzDecodeBlob(f *testing.F) {
	for _, c := range blobCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if bytes.ContainsAny(src, "\r\n") {
			return // ruled out before decoding (base64String)
		}
		checkBlob(t, src)
	})
}
