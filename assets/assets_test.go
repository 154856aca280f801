package assets

import (
	"bytes"
	"image/png"
	"testing"
)

func TestIconIsSquarePNG(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(IconPNG))
	if err != nil {
		t.Fatalf("icon.png does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 256 || b.Dy() != 256 {
		t.Fatalf("icon is %dx%d, want 256x256", b.Dx(), b.Dy())
	}
}

func TestIconResource(t *testing.T) {
	if Icon.Name() != "icon.png" || !bytes.Equal(Icon.Content(), IconPNG) {
		t.Fatalf("Icon is %q with %d bytes, want icon.png with the embedded %d bytes",
			Icon.Name(), len(Icon.Content()), len(IconPNG))
	}
}
