// Package vocab assembles the studio's full slot vocabulary: the engine's
// core plus every capability family. Hosts (the CLI, the studio, the
// compiler's vocabulary listing) take their engine from here, so a family
// is registered in exactly one place.
package vocab

import (
	"hlstudio/engine"
	"hlstudio/engine/authslots"
	"hlstudio/engine/cacheslots"
	"hlstudio/engine/configslots"
	"hlstudio/engine/cryptoslots"
	"hlstudio/engine/csvslots"
	"hlstudio/engine/dataslots"
	"hlstudio/engine/dateslots"
	"hlstudio/engine/endpoint"
	"hlstudio/engine/htmlslots"
	"hlstudio/engine/httpslots"
	"hlstudio/engine/ioslots"
	"hlstudio/engine/jsonslots"
	"hlstudio/engine/logslots"
	"hlstudio/engine/mathslots"
	"hlstudio/engine/openaislots"
	"hlstudio/engine/stringslots"
	"hlstudio/engine/threadslots"
	"hlstudio/engine/validatorslots"
	"hlstudio/engine/xmlslots"
	"hlstudio/engine/yamlslots"
)

// New returns an engine with the core and every family registered.
func New() *engine.Engine {
	e := engine.New()
	families := []func(*engine.Engine) error{
		mathslots.Register,
		stringslots.Register,
		dateslots.Register,
		logslots.Register,
		configslots.Register,
		authslots.Register,
		cacheslots.Register,
		threadslots.Register,
		jsonslots.Register,
		validatorslots.Register,
		ioslots.Register,
		httpslots.Register,
		dataslots.Register,
		cryptoslots.Register,
		csvslots.Register,
		xmlslots.Register,
		openaislots.Register,
		yamlslots.Register,
		htmlslots.Register,
		endpoint.Register,
	}
	for _, register := range families {
		if err := register(e); err != nil {
			panic(err) // a duplicate name is a programming error caught by the tests
		}
	}
	return e
}
