package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apiextensions "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	k8svalidation "k8s.io/apimachinery/pkg/util/validation"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// configMapMaxBytes is the API server's limit on a ConfigMap's data and binaryData together (1 MiB).
const configMapMaxBytes = 1 << 20

// coreKinds are the core (apiVersion v1) objects the checker decodes strictly, by kind.
var coreKinds = map[string]func() any{
	"ConfigMap":             func() any { return &corev1.ConfigMap{} },
	"Namespace":             func() any { return &corev1.Namespace{} },
	"PersistentVolumeClaim": func() any { return &corev1.PersistentVolumeClaim{} },
	"Pod":                   func() any { return &corev1.Pod{} },
	"Secret":                func() any { return &corev1.Secret{} },
	"Service":               func() any { return &corev1.Service{} },
}

// customSchema is one served version of a CRD: its schema validator and its structural schema (pruning).
type customSchema struct {
	validator  validation.SchemaValidator
	structural *structuralschema.Structural
}

// checkKubernetes validates every document of path (a file, or a folder's *.yaml/*.yml/*.json files)
// and, with crdPath, every object of the CRD's kind against its schema. It returns a summary of the
// objects found, or the problems (each prefixed with the file, the document number and the object).
func checkKubernetes(path, crdPath string) (string, []string) {
	files, err := manifestFiles(path)
	if err != nil {
		return "", []string{err.Error()}
	}
	custom := map[string]customSchema{} // "<group>/<version> <kind>"
	if crdPath != "" {
		if custom, err = loadCRD(crdPath); err != nil {
			return "", []string{fmt.Sprintf("%s: %v", crdPath, err)}
		}
	}
	var problems, objects []string
	for _, file := range files {
		docs, err := splitDocuments(file)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", file, err))
			continue
		}
		for i, doc := range docs {
			where := fmt.Sprintf("%s (document %d)", file, i+1)
			name, errs := checkObject(doc, custom)
			if name != "" {
				where = fmt.Sprintf("%s %s", where, name)
				objects = append(objects, name)
			}
			for _, e := range errs {
				problems = append(problems, fmt.Sprintf("%s: %s", where, e))
			}
		}
	}
	if len(problems) == 0 && len(objects) == 0 {
		problems = append(problems, fmt.Sprintf("%s: no Kubernetes object found", path))
	}
	return fmt.Sprintf("kubernetes: %s valid, %d object(s): %s", path, len(objects), strings.Join(objects, ", ")), problems
}

// manifestFiles lists path itself, or the manifests directly in the folder path, sorted.
func manifestFiles(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if !e.IsDir() && (ext == ".yaml" || ext == ".yml" || ext == ".json") {
			files = append(files, filepath.Join(path, e.Name()))
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("%s holds no *.yaml, *.yml or *.json file", path)
	}
	return files, nil
}

// splitDocuments returns the non-empty YAML documents of a file.
func splitDocuments(file string) ([][]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(f))
	var docs [][]byte
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(stripComments(doc))) > 0 {
			docs = append(docs, doc)
		}
	}
}

// stripComments drops whole-line comments (a document of only comments is empty).
func stripComments(doc []byte) []byte {
	var out [][]byte
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out = append(out, line)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

// checkObject decodes one document: strictly into its core type, or against its CRD's schema. It
// returns "<Kind>/<name>" and the problems.
func checkObject(doc []byte, custom map[string]customSchema) (string, []string) {
	var head struct {
		metav1.TypeMeta `json:",inline"`
		Metadata        struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(doc, &head); err != nil {
		return "", []string{err.Error()}
	}
	meta := head.TypeMeta
	name := fmt.Sprintf("%s/%s", meta.Kind, head.Metadata.Name)
	if meta.APIVersion == "" || meta.Kind == "" {
		return name, []string{"apiVersion and kind are required"}
	}
	var problems []string
	for _, msg := range k8svalidation.IsDNS1123Subdomain(head.Metadata.Name) {
		problems = append(problems, fmt.Sprintf("metadata.name %q: %s", head.Metadata.Name, msg))
	}
	if schema, ok := custom[meta.APIVersion+" "+meta.Kind]; ok {
		return name, append(problems, checkCustom(doc, schema)...)
	}
	newObject, ok := coreKinds[meta.Kind]
	if !ok || meta.APIVersion != "v1" {
		known := make([]string, 0, len(coreKinds)+len(custom))
		for k := range coreKinds {
			known = append(known, "v1 "+k)
		}
		for k := range custom {
			known = append(known, k)
		}
		sort.Strings(known)
		return name, append(problems, fmt.Sprintf("unknown apiVersion/kind %s %s (this checker knows: %s)", meta.APIVersion, meta.Kind, strings.Join(known, ", ")))
	}
	obj := newObject()
	if err := yaml.UnmarshalStrict(doc, obj); err != nil {
		return name, append(problems, err.Error())
	}
	if cm, ok := obj.(*corev1.ConfigMap); ok {
		problems = append(problems, checkConfigMap(cm)...)
	}
	return name, problems
}

// checkConfigMap applies the API server's rules the decoder does not: key names, a key in both data
// and binaryData, and the 1 MiB limit on the whole.
func checkConfigMap(cm *corev1.ConfigMap) []string {
	var problems []string
	size := 0
	for key, value := range cm.Data {
		size += len(key) + len(value)
		for _, msg := range k8svalidation.IsConfigMapKey(key) {
			problems = append(problems, fmt.Sprintf("data key %q: %s", key, msg))
		}
	}
	for key, value := range cm.BinaryData {
		size += len(key) + len(value)
		for _, msg := range k8svalidation.IsConfigMapKey(key) {
			problems = append(problems, fmt.Sprintf("binaryData key %q: %s", key, msg))
		}
		if _, dup := cm.Data[key]; dup {
			problems = append(problems, fmt.Sprintf("key %q is in both data and binaryData", key))
		}
	}
	if size > configMapMaxBytes {
		problems = append(problems, fmt.Sprintf("data and binaryData hold %d bytes, over the ConfigMap limit of %d (1 MiB)", size, configMapMaxBytes))
	}
	return problems
}

// checkCustom validates a custom object against its CRD version's schema, as the API server does on
// create: the OpenAPI v3 validation, the fields structural pruning would drop (reported instead of
// dropped) and a strict decoding of its metadata.
func checkCustom(doc []byte, schema customSchema) []string {
	data, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return []string{err.Error()}
	}
	var obj map[string]any
	if err := utiljson.Unmarshal(data, &obj); err != nil { // integers as int64, as the API server decodes them
		return []string{err.Error()}
	}
	var problems []string
	for _, e := range validation.ValidateCustomResource(nil, obj, schema.validator) {
		problems = append(problems, e.Error())
	}
	if rawMeta, ok := obj["metadata"]; ok {
		metaJSON, err := utiljson.Marshal(rawMeta)
		if err == nil {
			var meta metav1.ObjectMeta
			if err := yaml.UnmarshalStrict(metaJSON, &meta); err != nil {
				problems = append(problems, "metadata: "+err.Error())
			}
		}
	}
	pruned := structuralpruning.PruneWithOptions(obj, schema.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
	for _, path := range pruned {
		problems = append(problems, fmt.Sprintf("%s: unknown field (not in the CRD's schema: the API server would drop it)", path))
	}
	return problems
}

// loadCRD reads a CustomResourceDefinition (apiextensions.k8s.io/v1) and builds, for every version with
// a schema, its validator and structural schema, keyed "<group>/<version> <kind>".
func loadCRD(path string) (map[string]customSchema, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var crd apiextensionsv1.CustomResourceDefinition
	if err := yaml.UnmarshalStrict(data, &crd); err != nil {
		return nil, err
	}
	if crd.Kind != "CustomResourceDefinition" {
		return nil, fmt.Errorf("not a CustomResourceDefinition (kind %q)", crd.Kind)
	}
	schemas := map[string]customSchema{}
	for _, v := range crd.Spec.Versions {
		if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
			continue
		}
		internal := &apiextensions.JSONSchemaProps{}
		if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(v.Schema.OpenAPIV3Schema, internal, nil); err != nil {
			return nil, fmt.Errorf("version %s: %w", v.Name, err)
		}
		structural, err := structuralschema.NewStructural(internal)
		if err != nil {
			return nil, fmt.Errorf("version %s: not a structural schema: %w", v.Name, err)
		}
		validator, _, err := validation.NewSchemaValidator(internal)
		if err != nil {
			return nil, fmt.Errorf("version %s: %w", v.Name, err)
		}
		schemas[fmt.Sprintf("%s/%s %s", crd.Spec.Group, v.Name, crd.Spec.Names.Kind)] = customSchema{validator: validator, structural: structural}
	}
	if len(schemas) == 0 {
		return nil, errors.New("no version with an openAPIV3Schema")
	}
	return schemas, nil
}
