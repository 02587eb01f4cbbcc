/**
 * The `lab` commands whose work splits into shards (`--shard i/n`) with a merge that joins them.
 * `lab slurm` (and the Kubernetes job in deploy/) read this list: a newly sharded command (agent
 * descriptions, circuits) is one entry here. Each merge must refuse shards that do not cover the
 * work exactly once (gaps, overlaps, a shard of another run).
 */
export interface ShardedCommand {
  /** The `lab` subcommand: "exemplars". */
  name: string;
  /** What the merged output is, for messages: "exemplar index". */
  output: string;
  /** The option that names the output file; each task writes its shard there, the merge the whole. */
  outputOption: string;
  /** File name ending of a shard's output: ".idx". */
  shardExtension: string;
  /** The option that sets a task's thread count to its allocated CPUs, if the command has one. */
  threadsOption?: string;
  /** Arguments (after `lab`) that merge the shard files into `out`. */
  mergeArgs(shards: readonly string[], out: string): string[];
}

export const SHARDED_COMMANDS: readonly ShardedCommand[] = [
  {
    name: 'exemplars',
    output: 'an exemplar index; it imports into the Exemplars panel',
    outputOption: 'out',
    shardExtension: '.idx',
    threadsOption: 'threads',
    // mergeIndexFiles checks model, dataset, layers, k and that the shards tile [0, count) once.
    mergeArgs: (shards, out) => ['exemplars', '--merge', ...shards, '--out', out],
  },
  {
    name: 'agent',
    output: 'a lab.agent/1 document: a description and label per unit',
    outputOption: 'out',
    shardExtension: '.json',
    threadsOption: 'threads',
    // mergeAgentDocs checks that the shards are of one run and hold every requested unit once.
    mergeArgs: (shards, out) => ['agent', '--merge', ...shards, '--out', out],
  },
];

export function findShardedCommand(name: string): ShardedCommand | undefined {
  return SHARDED_COMMANDS.find((c) => c.name === name);
}
