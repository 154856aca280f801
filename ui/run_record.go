package ui

import (
	"context"
	"encoding/json"

	"hlstudio/dataset"
	"hlstudio/engine"
	"hlstudio/hyperlambda"
)

// DatasetRuns records the run panel's runs in the dataset.
type DatasetRuns struct{ Store *dataset.Store }

// RecordRun implements RunRecorder.
func (d DatasetRuns) RecordRun(ctx context.Context, r RunRecord) error {
	hash, err := dataset.TreeHash(r.Tree)
	if err != nil {
		return err
	}
	run := dataset.Run{TreeHash: hash, PolicyName: r.Policy.Name, PolicyHash: r.Policy.Hash, Args: r.Args,
		Duration: r.Duration, Usage: usageJSON(r.Result), Denials: denialsJSON(r.Result)}
	if r.Result != nil {
		run.Result = resultText(r.Result)
	}
	if r.Err != nil {
		run.Error = r.Err.Error()
	}
	if r.Request != nil {
		b, err := json.Marshal(r.Request)
		if err != nil {
			return err
		}
		run.Request = string(b)
	}
	_, err = d.Store.AddRun(ctx, run)
	return err
}

// resultText is a run's result as Hyperlambda: the value's text, then the
// returned nodes.
func resultText(res *engine.Result) string {
	out := ""
	if res.Value != nil {
		if _, text, err := hyperlambda.ValueText(res.Value); err == nil {
			out = text + "\n"
		}
	}
	return out + hyperlambda.Format(res.Nodes, hyperlambda.FormatOptions{})
}

func usageJSON(res *engine.Result) json.RawMessage {
	if res == nil {
		return nil
	}
	b, _ := json.Marshal(res.Usage)
	return b
}

func denialsJSON(res *engine.Result) json.RawMessage {
	if res == nil || len(res.Denials) == 0 {
		return json.RawMessage("[]")
	}
	b, _ := json.Marshal(res.Denials)
	return b
}
