// Package validate is the SchemaGen and ExampleValidator of a pipeline: it
// infers a TensorFlow Metadata schema from statistics and checks statistics
// (and single examples) against a schema, with the rules, anomaly types and
// descriptions of TensorFlow Data Validation (TFDV).
//
// Inputs and outputs are the pb/tfmd messages: DatasetFeatureStatisticsList,
// Schema and Anomalies. The rules follow TFDV's C++ anomalies library
// (tensorflow_data_validation/anomalies: schema.cc, feature_util.cc,
// *_domain_util.cc, metrics.cc, statistics_view.cc) and its Python API
// (api/validation_api.py); each function names the upstream function it
// follows. A summary of the semantics is in the project's
// conformance/SEMANTICS.md, section 2.
package validate
