package encode

// OnlyV3 makes YAML use yaml.v3 alone while set.
func OnlyV3(on bool) { onlyV3 = on }
