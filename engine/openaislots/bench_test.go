package openaislots

import (
	"strings"
	"testing"
)

// typicalPrompt is a 1 KB prompt of the kind generated code counts before
// calling a model: instructions, a little markup, a question.
const typicalPrompt = `You are a helpful assistant for an online shop that sells outdoor equipment.
Answer the customer's question using only the context below. If the answer is not in the context,
say "I don't know" and suggest contacting support at support@example.com.

### Context
- Tents: the Summit 2 (2 persons, 1.9 kg, $349) and the Basecamp 4 (4 persons, 4.2 kg, $529).
- Sleeping bags are rated for comfort temperatures from -5°C to 10°C.
- Orders over $100 ship for free within the EU; delivery takes 3-5 working days.
- Returns are accepted within 30 days if the product is unused and in its original packaging.

### Conversation so far
Customer: Hi! I'm planning a hiking trip in Norway next July with my wife.
Assistant: That sounds wonderful. How can I help you prepare?

### Question
Customer: Which tent would you recommend for the two of us, and how much would shipping cost to Oslo?
We'd also like to know whether we can return it if it turns out to be too heavy.`

func BenchmarkTokenize1KB(b *testing.B) {
	enc, pairs, err := encoding()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(typicalPrompt)))
	for b.Loop() {
		chunk, _ := nextChunk(typicalPrompt, chunkTargetBytes, pairs)
		enc.EncodeOrdinary(chunk)
	}
}

func BenchmarkTokenizeProse1MB(b *testing.B) {
	enc, pairs, err := encoding()
	if err != nil {
		b.Fatal(err)
	}
	text := strings.Repeat(typicalPrompt+"\n", 1<<20/len(typicalPrompt))
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		for rest := text; rest != ""; {
			chunk, _ := nextChunk(rest, chunkTargetBytes, pairs)
			rest = rest[len(chunk):]
			enc.EncodeOrdinary(chunk)
		}
	}
}

// BenchmarkLoad is the one-time cost of the first call in a process.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, _, err := loadR50k(); err != nil {
			b.Fatal(err)
		}
	}
}
