package dataset

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// one table "users" with one field "f" whose generator is gen
func oneField(gen string) string {
	return "version: 1\ntables:\n  - name: users\n    id: {type: big_int, generator: {type: sequential, start: 1}}\n    fields:\n      - name: f\n        type: int\n        generator: " + gen + "\n"
}

func TestSchemaErrors(t *testing.T) {
	cases := map[string]struct{ schema, want string }{
		"empty":           {"", "dataset: the schema is empty"},
		"not yaml":        {"version: [1", "not valid YAML"},
		"unknown key":     {"version: 1\ntabels: []\n", `field tabels not found`},
		"no version":      {"tables: []\n", "no version: expected `version: 1`"},
		"version 2":       {"version: 2\ntables: []\n", "schema version 2 is not supported"},
		"no tables":       {"version: 1\n", "the schema has no tables"},
		"no name":         {"version: 1\ntables:\n  - id: {type: int, generator: {type: sequential}}\n", "table #1 has no name"},
		"missing id":      {"version: 1\ntables:\n  - name: users\n    fields: []\n", `table "users" has no id: expected`},
		"id no generator": {"version: 1\ntables:\n  - name: users\n    id: {type: int}\n", `table "users", id: no generator`},
		"no type":         {"version: 1\ntables:\n  - name: users\n    id: {generator: {type: sequential}}\n", `table "users", id: no type`},
		"twice": {
			"version: 1\ntables:\n  - name: u\n    id: {type: int, generator: {type: sequential}}\n  - name: u\n    id: {type: int, generator: {type: sequential}}\n",
			`table "u" is declared twice`,
		},
		"field id": {
			"version: 1\ntables:\n  - name: u\n    id: {type: int, generator: {type: sequential}}\n    fields:\n      - {name: id, type: int, generator: {type: null}}\n",
			`a field is named "id"`,
		},
		"unknown generator": {oneField("{type: patern}"), `dataset: table "users", field "f": unknown generator "patern" (known: uuid_v4, sequential, pattern,`},
		"generator type":    {oneField("{min: 1}"), `table "users", field "f": the generator has no type`},
		"min > max":         {oneField("{type: int_range, min: 90, max: 18}"), `table "users", field "f": int_range: min (90) is greater than max (18)`},
		"min not int":       {oneField("{type: int_range, min: 1.5, max: 18}"), `int_range: min must be an integer, got 1.5`},
		"missing max":       {oneField("{type: int_range, min: 1}"), `int_range: missing max (an integer)`},
		"unknown param":     {oneField("{type: int_range, min: 1, max: 2, step: 1}"), `int_range: unknown parameter "step" (allowed: min, max)`},
		"float min > max":   {oneField("{type: float_range, min: 2, max: 1}"), `float_range: min (2) is greater than max (1)`},
		"float not number":  {oneField("{type: float_range, min: a, max: 1}"), `float_range: min must be a finite number, got a`},
		"empty one_of":      {oneField("{type: one_of, values: []}"), `table "users", field "f": one_of: values is empty`},
		"one_of not list":   {oneField("{type: one_of, values: x}"), `one_of: values must be a list`},
		"weight > 1":        {oneField("{type: weighted_bool, true_weight: 1.5}"), `weighted_bool: true_weight must be from 0 to 1`},
		"weight < 0":        {oneField("{type: weighted_bool, true_weight: -0.1}"), `weighted_bool: true_weight must be from 0 to 1`},
		"bad timestamp":     {oneField(`{type: timestamp_range, start: "2024-01-01", end: "2024-02-01T00:00:00Z"}`), `timestamp_range: start "2024-01-01" is not an RFC 3339 time`},
		"start after end":   {oneField(`{type: timestamp_range, start: "2025-01-01T00:00:00Z", end: "2024-02-01T00:00:00Z"}`), `timestamp_range: start is after end`},
		"placeholder":       {oneField(`{type: pattern, pattern: "u_{idx}"}`), `pattern "u_{idx}": unknown placeholder {idx} (known: {index}, {uuid}, {rand:N})`},
		"rand digits":       {oneField(`{type: pattern, pattern: "{rand:0}"}`), `N of {rand:N} must be an integer from 1 to 64`},
		"open brace":        {oneField(`{type: pattern, pattern: "a{index"}`), `a "{" without its "}"`},
		"no pattern":        {oneField(`{type: pattern}`), `pattern: missing pattern`},
		"sample too long":   {oneField(`{type: sample_array, pool: [a, b], min_length: 1, max_length: 3}`), `sample_array: max_length (3) must be at most the size of the pool (2)`},
		"sample lengths":    {oneField(`{type: sample_array, pool: [a, b], min_length: 2, max_length: 1}`), `sample_array: min_length (2) is greater than max_length (1)`},
		"decimal scale":     {oneField(`{type: decimal_range, min: 0, max: 1, scale: 12}`), `decimal_range: scale must be an integer from 0 to 9`},
		"decimal empty":     {oneField(`{type: decimal_range, min: 0.001, max: 0.002, scale: 2}`), `decimal_range: no value with 2 decimal digits`},
		"duration":          {oneField(`{type: duration_range, min_secs: 10, max_secs: 5}`), `duration_range: min_secs (10) is greater than max_secs (5)`},
		"static no value":   {oneField(`{type: static}`), `static: missing value`},
		"uuid params":       {oneField(`{type: uuid_v4, version: 4}`), `uuid_v4: unknown parameter "version" (allowed: none)`},
		"generator scalar":  {oneField(`uuid_v4`), `the generator must be a mapping`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseSchema(c.schema)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestSchemaDefaults(t *testing.T) {
	s, err := ParseSchema(oneField(`{type: sequential}`))
	require.NoError(t, err)
	r, err := Open(s, 0).RowMap("users", 10)
	require.NoError(t, err)
	assert.Equal(t, int64(10), r["f"], "sequential starts at 0 by default")
	s, err = ParseSchema(oneField(`{type: decimal_range, min: 1, max: 2}`))
	require.NoError(t, err)
	r, _ = Open(s, 0).RowMap("users", 10)
	v := r["f"].(float64)
	assert.InDelta(t, v*100, float64(int64(v*100+0.5)), 1e-6, "scale 2 by default")
}
