// Package job is what the Beam job does, stage by stage, in plain Go: read
// a shard of examples and accumulate its statistics and analyzers; merge
// the shards' accumulators and write the statistics, the schema, the
// anomalies and the bound transform graph; apply that graph to a shard and
// write the transformed examples. The Beam pipeline (codegen/beamjob) only
// moves shards and accumulators between these functions, so the same work
// can be tested, and benchmarked, without a runner.
package job
