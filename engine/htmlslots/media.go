package htmlslots

import (
	"net/url"
	"path"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// mediaEmbed replaces an image link that Markdig's media links extension
// turns into a player; its HTML is made (and escaped) when it is found.
type mediaEmbed struct {
	ast.BaseInline
	html string
}

var kindMediaEmbed = ast.NewNodeKind("MediaEmbed")

func (m *mediaEmbed) Kind() ast.NodeKind { return kindMediaEmbed }

func (m *mediaEmbed) Dump(source []byte, level int) { ast.DumpHelper(m, source, level, nil, nil) }

// mediaLinks is the [media] option: ![alt](url) to YouTube or Vimeo
// becomes their player's iframe, to an audio or video file a player,
// with Markdig's markup. Other image links stay images.
type mediaLinks struct{}

func (mediaLinks) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	var found []*ast.Image
	walk(doc, func(n ast.Node, _ int) bool {
		if img, ok := n.(*ast.Image); ok {
			found = append(found, img)
			return false
		}
		return true
	})
	for _, img := range found {
		if markup, ok := mediaHTML(string(img.Destination)); ok {
			img.Parent().ReplaceChild(img.Parent(), img, &mediaEmbed{html: markup})
		}
	}
}

const frameSize = ` width="500" height="281" frameborder="0" allowfullscreen=""></iframe>`

// mediaHTML is the player for a media link, if dest is one.
func mediaHTML(dest string) (string, bool) {
	u, err := url.Parse(dest)
	if err != nil || (u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https") {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	switch host {
	case "youtube.com", "www.youtube.com", "m.youtube.com":
		p := strings.ToLower(u.Path)
		if p == "/embed" || strings.HasPrefix(p, "/embed/") {
			return iframe(dest, "youtube"), true
		}
		if p == "/watch" || strings.HasPrefix(p, "/watch/") {
			if id := u.Query().Get("v"); id != "" {
				return iframe(youTubeEmbed(id, u.Query().Get("t")), "youtube"), true
			}
		}
		return "", false
	case "youtu.be":
		if id := strings.TrimPrefix(u.Path, "/"); id != "" {
			return iframe(youTubeEmbed(id, u.Query().Get("t")), "youtube"), true
		}
		return "", false
	case "vimeo.com", "www.vimeo.com":
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		if last := parts[len(parts)-1]; last != "" {
			return iframe("https://player.vimeo.com/video/"+last, "vimeo"), true
		}
		return "", false
	}
	mime, ok := mediaTypes[strings.ToLower(path.Ext(u.Path))]
	if !ok {
		return "", false
	}
	tag, _, _ := strings.Cut(mime, "/")
	return "<" + tag + ` width="500" height="281" controls=""><source type="` + mime + `" src="` + attrEscape(dest) + `"></source></` + tag + ">", true
}

func youTubeEmbed(id, start string) string {
	embed := "https://www.youtube.com/embed/" + url.PathEscape(id)
	if start != "" {
		embed += "?start=" + url.QueryEscape(start)
	}
	return embed
}

func iframe(src, class string) string {
	return `<iframe src="` + attrEscape(src) + `" class="` + class + `"` + frameSize
}

func attrEscape(s string) string { return string(util.EscapeHTML([]byte(s))) }

// mediaTypes are the file types played by an audio or video element.
var mediaTypes = map[string]string{
	".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm", ".ogv": "video/ogg", ".mov": "video/quicktime",
	".3gp": "video/3gpp", ".mpeg": "video/mpeg", ".mpg": "video/mpeg", ".avi": "video/x-msvideo",
	".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".oga": "audio/ogg", ".ogg": "audio/ogg", ".wav": "audio/wav",
	".flac": "audio/flac", ".aac": "audio/aac", ".weba": "audio/webm",
}

// mediaRenderer writes mediaEmbed nodes.
type mediaRenderer struct{}

func (mediaRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindMediaEmbed, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			_, _ = w.WriteString(n.(*mediaEmbed).html)
		}
		return ast.WalkSkipChildren, nil
	})
}
